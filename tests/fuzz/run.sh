#!/usr/bin/env bash
# Builds the fuzz targets with clang++, libFuzzer, ASan and UBSan in their own build folder and
# runs each one for SECONDS (default 60) from the shipped seed inputs. Fails (exit 1) if any target
# finds something: a crash, an unexpected exception, a sanitizer report, a timeout, running out of
# memory; the input that caused it is kept and its path printed. See docs/fuzzing.md.
#
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...] [-- LIBFUZZER_OPTION...]
#   TARGET: scenario, study, worker_task (default: all three, one after the other)
# Environment: TENDERLAB_FUZZ_BUILD, the build folder (default: build-fuzz in the repository).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
[ $# -gt 0 ] && shift
targets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  targets+=("$1")
  shift
done
[ $# -gt 0 ] && shift
extra_options=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(scenario study worker_task)
build="${TENDERLAB_FUZZ_BUILD:-$root/build-fuzz}"

# -O1 with debug information, as is usual for fuzzing; no NDEBUG, so assertions stay on.
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DTENDERLAB_FUZZ=ON \
  -DTENDERLAB_BUILD_TESTS=OFF -DTENDERLAB_BUILD_BENCH=OFF -DTENDERLAB_MPI=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
cmake --build "$build" --target fuzz_targets -j2
"$root/tests/fuzz/seed_corpus.sh" "$build/fuzz/seeds"

# A 16 MiB quarantine instead of ASan's 256 MiB: freed memory is reused sooner, which halves the
# time of an execution (far fewer page faults) and still catches a use after free within an input.
export ASAN_OPTIONS="quarantine_size_mb=16${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
failed=()
for target in "${targets[@]}"; do
  program="$build/tests/fuzz/fuzz_$target"
  [ -x "$program" ] || { echo "fuzz: no such target: $target" >&2; exit 2; }
  corpus="$build/fuzz/corpus/$target"
  findings="$build/fuzz/findings/$target"
  log="$build/fuzz/$target.log"
  # The corpus grows from run to run; findings are those of this run only.
  mkdir -p "$corpus"
  rm -rf "$findings"
  mkdir -p "$findings"
  echo "fuzz: $target for ${seconds} s (log: $log)"
  status=0
  # An input that takes more than 25 s, or a process above 2 GiB, is a finding.
  "$program" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$root/tests/fuzz/tenderlab.dict" -artifact_prefix="$findings/" \
    ${extra_options[@]+"${extra_options[@]}"} "$corpus" "$build/fuzz/seeds/$target" \
    >"$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|#[0-9]+ +DONE)' \
    "$log" | sed "s/^/fuzz: $target: /" || true
  # Slow inputs (over 10 s) are kept as slow-unit-* and reported, but only timeouts fail.
  mapfile -t slow < <(find "$findings" -type f -name 'slow-unit-*' | sort)
  for input in ${slow[@]+"${slow[@]}"}; do echo "fuzz: $target: slow input: $input"; done
  mapfile -t artifacts < <(find "$findings" -type f ! -name 'slow-unit-*' | sort)
  if [ "$status" -ne 0 ] || [ ${#artifacts[@]} -gt 0 ]; then
    failed+=("$target")
    echo "fuzz: $target: FINDING (libFuzzer exit status $status); the end of its log:"
    tail -n 60 "$log" | sed "s/^/  /"
    for artifact in ${artifacts[@]+"${artifacts[@]}"}; do
      echo "fuzz: $target: reproducer: $artifact"
      echo "fuzz: $target: reproduce with: $program $artifact"
    done
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]}"
  exit 1
fi
echo "fuzz: no findings in ${targets[*]} (${seconds} s each)"
