#!/usr/bin/env bash
# Regenerates what the parameter tables (engine/src/parameters.cpp) generate: the scenario JSON
# Schema and docs/parameters.md. Run it after changing a table, then review the diff and commit
# it with the table; the test "params: generated files are up to date" fails until then.
set -euo pipefail
cd "$(dirname "$0")/.."
tenderlab=${1:-build/cli/tenderlab}
"$tenderlab" params --schema >scenarios/schema/scenario.schema.json.new
"$tenderlab" params --markdown >docs/parameters.md.new
mv scenarios/schema/scenario.schema.json.new scenarios/schema/scenario.schema.json
mv docs/parameters.md.new docs/parameters.md
echo "updated scenarios/schema/scenario.schema.json and docs/parameters.md; review: git diff"
