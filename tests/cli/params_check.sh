#!/bin/sh
# The committed scenario JSON Schema and docs/parameters.md are exactly what the parameter tables
# generate (scripts/update-params.sh regenerates them).
# Usage: params_check.sh TENDERLAB SOURCE_DIR
tenderlab=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
"$tenderlab" params --schema >"$work/schema.json" || exit 1
"$tenderlab" params --markdown >"$work/parameters.md" || exit 1
if ! diff -u "$source_dir/scenarios/schema/scenario.schema.json" "$work/schema.json"; then
  echo "scenarios/schema/scenario.schema.json differs from the parameter tables: run scripts/update-params.sh"
  status=1
fi
if ! diff -u "$source_dir/docs/parameters.md" "$work/parameters.md"; then
  echo "docs/parameters.md differs from the parameter tables: run scripts/update-params.sh"
  status=1
fi
exit $status
