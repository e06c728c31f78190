# Timing helpers of the benchmark scripts (sourced, not run): the median of numbers on stdin, the
# wall time of one command by the shell's clock (process start included), and the median wall
# time of `repeats` runs of a command.
median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
wall() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
measure() {
  local times=()
  for _ in $(seq 1 "$repeats"); do times+=("$(wall "$@")"); done
  printf '%s\n' "${times[@]}" | median
}
