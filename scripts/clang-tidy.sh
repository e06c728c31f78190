#!/usr/bin/env bash
# Runs Debian's clang-tidy with the committed .clang-tidy over the project's own sources (engine,
# agents, analysis, cli; their headers through HeaderFilterRegex) as the build compiles them, and
# fails on any warning. Needs a configured build with compile_commands.json (the top
# CMakeLists.txt exports it): cmake -S . -B build first.
# Usage: scripts/clang-tidy.sh [BUILD_DIR] (default: build); JOBS=N sets the parallel files (2).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
jobs=${JOBS:-2}
database="$build/compile_commands.json"
if [ ! -f "$database" ]; then
  echo "clang-tidy.sh: $database not found; configure the build first (cmake -S . -B $build)" >&2
  exit 2
fi
command -v clang-tidy > /dev/null || { echo "clang-tidy.sh: clang-tidy is not installed (scripts/setup.sh)" >&2; exit 2; }

# The files of the project's layers that this build compiles (tests, benchmarks and fuzz targets
# are left out: they follow Catch2's and libFuzzer's idioms, not the library's rules).
mapfile -t files < <(python3 - "$database" "$PWD" <<'PY'
import json, os, sys
database, root = sys.argv[1], sys.argv[2]
layers = ("engine/", "agents/", "analysis/", "cli/")
seen = set()
for entry in json.load(open(database)):
    path = os.path.relpath(os.path.join(entry["directory"], entry["file"]), root)
    if path.startswith(layers) and path not in seen:
        seen.add(path)
        print(path)
PY
)
if [ ${#files[@]} -eq 0 ]; then
  echo "clang-tidy.sh: no project sources in $database" >&2
  exit 2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
# --warnings-as-errors makes every reported check fail the file; --quiet drops the count of
# warnings suppressed in system headers.
status=0
printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "$jobs" clang-tidy -p "$build" --quiet --warnings-as-errors='*' > "$log" 2>&1 ||
  status=$?
# clang-tidy prints "N warnings generated." for the warnings it suppressed; keep the rest.
grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "$log" || true
elapsed=$(( $(date +%s) - start ))
if [ "$status" -ne 0 ]; then
  echo "clang-tidy.sh: warnings in the sources above (${#files[@]} files, ${elapsed} s)" >&2
  exit 1
fi
echo "clang-tidy.sh: ${#files[@]} files clean (${elapsed} s)"
