#!/usr/bin/env bash
# How run time and memory grow with the number of agents: generates synthetic scenarios with N
# private agents (bench/make_scenario.py: the flagship's structure, agents varied from its own),
# runs each REPEATS times and prints, per N, the median wall-clock and CPU time and the peak
# memory (maximum resident set size from /usr/bin/time, the same figure `/usr/bin/time -v`
# prints), the ratio t(10000)/t(1000), and two baselines measured in the same session (`tenderlab
# --version`, and a run of the flagship scenario), so that results from different machines
# compare as ratios. A benchmark, not a test: run it on a quiet machine, and read CPU time when
# the machine is shared (wall time then includes waiting for a core).
#
# Usage: bench/scale.sh [TENDERLAB] [REPEATS] [N...]
#   defaults: build/cli/tenderlab, 3 repetitions, N = 10 100 1000 2000 4000 10000
# Environment: SCALE_SEED (generator seed, default 1), SCALE_KEEP=DIR keeps scenarios and runs,
# SCALE_BASE=FILE the scenario whose structure the synthetic ones keep (default: the flagship;
# scenarios/korea-2025-2030.json scales the national programme: fleets, vendors, grid).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tenderlab=${1:-build/cli/tenderlab}
repeats=${2:-3}
shift $(($# < 2 ? $# : 2))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000 2000 4000 10000)
seed=${SCALE_SEED:-1}
if [ ! -x /usr/bin/time ]; then
  echo "scale.sh: /usr/bin/time is missing (Debian package 'time'; scripts/setup.sh installs it)" >&2
  exit 2
fi
if [ ! -x "$tenderlab" ]; then
  echo "scale.sh: no tenderlab program at '$tenderlab'" >&2
  exit 2
fi
if [ -n "${SCALE_KEEP:-}" ]; then
  work=$SCALE_KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

# measure NAME REPEATS COMMAND...: runs the command REPEATS times under /usr/bin/time and prints
# "median-wall median-cpu max-rss-kb" (medians over the repetitions, the largest RSS seen).
measure() {
  local name=$1 count=$2
  shift 2
  local walls=() cpus=() rss=0
  for _ in $(seq 1 "$count"); do
    /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@" > /dev/null
    read -r wall user sys kb < "$work/$name.time"
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  printf '%s %s %s\n' "$(printf '%s\n' "${walls[@]}" | median)" \
    "$(printf '%s\n' "${cpus[@]}" | median)" "$rss"
}
median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "scale benchmark: $tenderlab, $repeats repetitions, generator seed $seed, $(nproc) CPUs," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
read -r version_wall _ _ < <(measure version 5 "$tenderlab" --version)
read -r flagship_wall flagship_cpu flagship_rss < <(measure flagship "$repeats" \
  "$tenderlab" run "$root/scenarios/naicc-2025.json" --out "$work/flagship" --force -q)
printf 'baseline: tenderlab --version %.3f s; flagship run %.3f s wall, %.3f s CPU, %d MB\n' \
  "$version_wall" "$flagship_wall" "$flagship_cpu" $((flagship_rss / 1024))
printf '%8s %8s %10s %10s %9s %10s %12s %11s\n' agents events "wall (s)" "CPU (s)" "RSS (MB)" \
  "KB/agent" "CPU/flagship" "validate (s)"
declare -A cpu_of wall_of
for n in "${sizes[@]}"; do
  scenario="$work/scale-$n.json"
  python3 "$here/make_scenario.py" "$n" --seed "$seed" --out "$scenario" \
    ${SCALE_BASE:+--base "$SCALE_BASE"}
  read -r validate_wall _ _ < <(measure "validate-$n" 1 "$tenderlab" validate "$scenario")
  read -r wall cpu rss < <(measure "run-$n" "$repeats" \
    "$tenderlab" run "$scenario" --out "$work/run-$n" --force -q)
  events=$(wc -l < "$work/run-$n/events.jsonl")
  wall_of[$n]=$wall
  cpu_of[$n]=$cpu
  printf '%8d %8d %10.2f %10.2f %9d %10.1f %12.1f %11.2f\n' "$n" "$events" "$wall" "$cpu" \
    $((rss / 1024)) "$(awk -v r="$rss" -v n="$n" 'BEGIN { print r / n }')" \
    "$(awk -v c="$cpu" -v f="$flagship_cpu" 'BEGIN { print c / f }')" "$validate_wall"
done
if [ -n "${cpu_of[1000]:-}" ] && [ -n "${cpu_of[10000]:-}" ]; then
  printf 't(10000)/t(1000): wall %.1fx, CPU %.1fx\n' \
    "$(awk -v a="${wall_of[10000]}" -v b="${wall_of[1000]}" 'BEGIN { print a / b }')" \
    "$(awk -v a="${cpu_of[10000]}" -v b="${cpu_of[1000]}" 'BEGIN { print a / b }')"
fi
