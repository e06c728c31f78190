#!/usr/bin/env bash
# `cmake --install` into a fresh prefix gives working programs in PREFIX/bin and nothing else.
# Usage: install_check.sh BUILD_DIR WITH_MPI(ON|OFF)
set -euo pipefail
build=$1
with_mpi=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

fail() { echo "FAILED: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" > "$work/install.log" ||
  fail "cmake --install failed: $(cat "$work/install.log")"

expected="bin/tenderlab"
if [ "$with_mpi" = ON ]; then expected=$(printf '%s\n' bin/tenderlab bin/tenderlab-mpi); fi
installed=$(cd "$prefix" && find . -type f -o -type l | sed 's#^\./##' | sort)
[ "$installed" = "$expected" ] || fail "installed files: $(echo $installed), expected: $(echo $expected)"

version=$("$prefix/bin/tenderlab" --version) || fail "installed tenderlab --version failed"
case "$version" in
  "tenderlab "[0-9]*) ;;
  *) fail "unexpected version line: $version" ;;
esac
for program in $expected; do
  if ldd "$prefix/$program" | grep "not found" >/dev/null; then
    fail "$program misses libraries: $(ldd "$prefix/$program" | grep 'not found')"
  fi
done
# The installed programs run from the prefix alone: a validation reads a scenario and nothing
# from the build tree.
"$prefix/bin/tenderlab" validate "$(dirname "$0")/../golden/small.json" > /dev/null ||
  fail "installed tenderlab cannot validate the golden scenario"
echo "ok: installed $(echo $expected) into a fresh prefix; $version"
