#!/usr/bin/env bash
# Regenerates the golden test's reference outputs from the current build. Run it only after an
# intended change of the model or the event log, then review `git diff tests/golden` line by line
# before committing: the reference is what the test defends.
set -euo pipefail
cd "$(dirname "$0")/.."
tenderlab=${1:-build/cli/tenderlab}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$tenderlab" run tests/golden/small.json --out "$work/run" -q
for output in events.jsonl tenders.csv summary.json timeseries.csv; do
  cp "$work/run/$output" "tests/golden/small.$output"
done
echo "updated tests/golden/small.{events.jsonl,tenders.csv,summary.json,timeseries.csv};" \
  "review: git diff tests/golden"
