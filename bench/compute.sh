#!/usr/bin/env bash
# Compute use's run time: the national scenario without compute use, with it
# (scenarios/variants/korea-2025-2030-compute.json) and with its demand shock, process start
# included; jobs simulated (started, summed over the run) and jobs per second of the extra time
# compute use costs; and how that time grows with the size of the jobs (the aggregation setting).
# Medians over REPEATS runs, with `tenderlab --version` as the baseline measured in the same
# session, so that machines compare as ratios. A benchmark, not a test.
#
# Usage: bench/compute.sh [TENDERLAB] [REPEATS]   (defaults: build/cli/tenderlab, 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tenderlab=${1:-build/cli/tenderlab}
repeats=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=timing.sh
. "$here/timing.sh"
jobs_of() {  # jobs started over the run, from summary.json
  python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["compute"]
print(sum(p["jobs_started"] for p in c["pools"].values()) if c else 0)' "$1/summary.json"
}

echo "compute benchmark: $tenderlab, $repeats repetitions, $(nproc) CPUs," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
baseline=$(measure "$tenderlab" --version)
printf 'baseline: tenderlab --version %.4f s\n' "$baseline"
plain=$(measure "$tenderlab" run "$root/scenarios/korea-2025-2030.json" --out "$work/plain" --force -q)
printf 'korea-2025-2030 (no compute use): %.3f s, %.1fx baseline\n' "$plain" \
  "$(awk -v a="$plain" -v b="$baseline" 'BEGIN { print a / b }')"
printf '%-34s %8s %10s %10s %12s\n' scenario jobs "wall (s)" "x base" "jobs/s extra"
row() {
  local name=$1 path=$2
  local t
  t=$(measure "$tenderlab" run "$path" --out "$work/$name" --force -q)
  local jobs
  jobs=$(jobs_of "$work/$name")
  printf '%-34s %8d %10.3f %10.1f %12.0f\n' "$name" "$jobs" "$t" \
    "$(awk -v a="$t" -v b="$baseline" 'BEGIN { print a / b }')" \
    "$(awk -v j="$jobs" -v a="$t" -v p="$plain" 'BEGIN { d = a - p; print (d > 0 ? j / d : 0) }')"
}
row compute "$root/scenarios/variants/korea-2025-2030-compute.json"
row demand-shock "$root/scenarios/variants/korea-2025-2030-demand-shock.json"
# Aggregation: every job and application k times smaller and k times more frequent (same
# GPU-hours asked for), on the demand-shock variant.
for k in 2 4; do
  python3 - "$root/scenarios/variants/korea-2025-2030-demand-shock.json" "$k" \
    "$work/finer-$k.json" <<'PY'
import json, sys
source, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d = json.load(open(source))
d.pop("$schema", None)
c = d["compute"]
c["customer_job_gpus"] = max(1, c["customer_job_gpus"] // k)
for g in c["user_groups"]:
    g["jobs_per_month"] *= k
    g["job_gpus"] = max(1, g["job_gpus"] // k)
    if g.get("application_gpus"):
        g["application_gpus"] = max(1, g["application_gpus"] // k)
json.dump(d, open(out, "w"))
PY
  row "demand-shock, jobs / $k" "$work/finer-$k.json"
done
