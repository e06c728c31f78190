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
cp "$work/run/events.jsonl" tests/golden/small.events.jsonl
cp "$work/run/tenders.csv" tests/golden/small.tenders.csv
echo "updated tests/golden/small.events.jsonl and small.tenders.csv; review: git diff tests/golden"
