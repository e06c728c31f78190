#!/usr/bin/env bash
# Throughput of a study on this machine with -j1 and -j2 (and more if given): runs per second,
# median of several repetitions, and the speed-up over -j1. A benchmark, not a test.
# Usage: bench/study_scaling.sh [TENDERLAB] [STUDY] [REPEATS] [JOBS...]
set -euo pipefail
tenderlab=${1:-build/cli/tenderlab}
study=${2:-scenarios/studies/spc-round1-terms.json}
repeats=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
jobs=("$@")
[ ${#jobs[@]} -gt 0 ] || jobs=(1 2)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A median
for j in "${jobs[@]}"; do
  rates=()
  for r in $(seq 1 "$repeats"); do
    rm -f "$work"/bench.sqlite*
    start=$(date +%s.%N)
    "$tenderlab" study "$study" -j "$j" --db "$work/bench.sqlite" -q || true
    end=$(date +%s.%N)
    runs=$(sqlite3 "$work/bench.sqlite" "select count(*) from runs")
    rates+=("$(awk -v n="$runs" -v a="$start" -v b="$end" 'BEGIN { print n / (b - a) }')")
  done
  median[$j]=$(printf '%s\n' "${rates[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  printf -- '-j%s: %d runs per study, median %.1f runs/s over %d repetitions\n' "$j" "$runs" "${median[$j]}" "$repeats"
done
for j in "${jobs[@]}"; do
  [ "$j" = "${jobs[0]}" ] && continue
  printf -- '-j%s / -j%s = %.2f\n' "$j" "${jobs[0]}" "$(awk -v x="${median[$j]}" -v y="${median[${jobs[0]}]}" 'BEGIN { print x / y }')"
done
