#!/usr/bin/env bash
# Rewrites the parts of the docs that the code generates: the tables of docs/event-log.md (from
# the event structs) and the table of agent kinds in docs/scenario-format.md (from the registry of
# kinds). Run it after changing an event type or an agent kind, then review `git diff docs` before
# committing; the test "docs: generated parts match the code" fails until then. The scenario
# schema and docs/parameters.md come from the parameter tables: scripts/update-params.sh (run it
# too after adding or renaming an agent kind).
set -euo pipefail
cd "$(dirname "$0")/.."
docgen=${1:-build/tools/tenderlab-docgen}
"$docgen" --write .
