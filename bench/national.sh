#!/usr/bin/env bash
# The national programme's run time: `tenderlab run scenarios/korea-2025-2030.json` (process start
# included), its events per second, and how run time grows with the horizon (the same scenario cut
# at the end of each year: events, grid upgrades and calls after the cut left out). Medians over
# REPEATS runs, with `tenderlab --version` as the baseline measured in the same session, so that
# machines compare as ratios. Growth with the number of agents: SCALE_BASE=scenarios/korea-2025-2030.json
# bench/scale.sh. A benchmark, not a test.
#
# Usage: bench/national.sh [TENDERLAB] [REPEATS]   (defaults: build/cli/tenderlab, 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tenderlab=${1:-build/cli/tenderlab}
repeats=${2:-5}
scenario=$root/scenarios/korea-2025-2030.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=timing.sh
. "$here/timing.sh"

echo "national benchmark: $tenderlab, $repeats repetitions, $(nproc) CPUs," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
baseline=$(measure "$tenderlab" --version)
printf 'baseline: tenderlab --version %.4f s\n' "$baseline"
printf '%10s %8s %10s %12s %10s\n' horizon events "wall (s)" "events/s" "x baseline"
for year in 2026 2027 2028 2029 2030; do
  cut="$work/korea-$year.json"
  python3 - "$scenario" "$year-12-31" "$cut" <<'PY'
import json, sys
source, horizon, out = sys.argv[1:]
d = json.load(open(source))
d["horizon"] = horizon
d["events"] = [e for e in d.get("events", []) if e["date"] <= horizon]
d["calls"] = [c for c in d.get("calls", []) if c["schedule"]["announce"] <= horizon]
ids = {c["id"] for c in d["calls"]}
d["history"] = [h for h in d.get("history", []) if h["call"] in ids]
if "grid" in d:
    d["grid"]["upgrades"] = [u for u in d["grid"].get("upgrades", []) if u["date"] <= horizon]
for c in d["calls"]:
    rounds = c.get("procedure", {}).get("rounds", [])
    c.get("procedure", {})["rounds"] = [
        r for r in rounds if "schedule" not in r or r["schedule"]["announce"] <= horizon]
json.dump(d, open(out, "w"))
PY
  t=$(measure "$tenderlab" run "$cut" --out "$work/run-$year" --force -q)
  events=$(wc -l < "$work/run-$year/events.jsonl")
  printf '%10s %8d %10.3f %12.0f %10.1f\n' "$year-12-31" "$events" "$t" \
    "$(awk -v e="$events" -v t="$t" 'BEGIN { print e / t }')" \
    "$(awk -v t="$t" -v b="$baseline" 'BEGIN { print t / b }')"
done
