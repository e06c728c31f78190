#!/usr/bin/env bash
# Rewrites the parts of the docs and of the scenario schema that the code generates: the tables
# of docs/event-log.md (from the event structs), the table of agent kinds in
# docs/scenario-format.md (from the registry of kinds) and the enum lists of
# scenarios/schema/scenario.schema.json. Run it after changing an event type, an agent kind or an
# enum, then review `git diff docs scenarios/schema` before committing; the test
# "docs: generated parts match the code" fails until then.
set -euo pipefail
cd "$(dirname "$0")/.."
docgen=${1:-build/tools/tenderlab-docgen}
"$docgen" --write .
