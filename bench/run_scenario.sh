#!/usr/bin/env bash
# Wall time of single runs of a scenario (default: the flagship), repeated; prints the median,
# the spread and events per second. A benchmark, not a test: run it on a quiet machine.
# Usage: bench/run_scenario.sh [TENDERLAB] [SCENARIO] [REPEATS]
set -euo pipefail
tenderlab=${1:-build/cli/tenderlab}
scenario=${2:-scenarios/naicc-2025.json}
repeats=${3:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=()
for i in $(seq 1 "$repeats"); do
  start=$(date +%s.%N)
  "$tenderlab" run "$scenario" --out "$work/run" --force -q
  end=$(date +%s.%N)
  times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
done
events=$(wc -l < "$work/run/events.jsonl")
printf '%s\n' "${times[@]}" | sort -g | awk -v events="$events" -v scenario="$scenario" '
  { t[NR] = $1 }
  END {
    median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "%s: %d runs, median %.1f ms (min %.1f, max %.1f), %d events, %.0f events/s\n",
           scenario, NR, median * 1000, t[1] * 1000, t[NR] * 1000, events, events / median
  }'
