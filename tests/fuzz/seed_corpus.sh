#!/usr/bin/env bash
# Gathers the seed inputs of the fuzz targets from the files the repository already ships, so no
# large file is duplicated under tests/fuzz:
#   OUT/scenario     scenarios/*.json, scenarios/variants, tests/scenario/valid and invalid, the
#                    golden scenario
#   OUT/study        scenarios/studies, tests/scenario/invalid-study, the golden study, and the
#                    small studies of tests/fuzz/seeds/study (every design, few runs, paths
#                    into arrays, fixed changes)
#   OUT/worker_task  tests/fuzz/seeds/worker_task, and the golden and calibrated scenarios each
#                    wrapped into a task line as a study would send them to a worker
# Usage: tests/fuzz/seed_corpus.sh OUT
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: seed_corpus.sh OUT}"

rm -rf "$out"
mkdir -p "$out/scenario" "$out/study" "$out/worker_task"

# Copies each file as OUT/TARGET/<its path with / turned into _>, so equal names never collide.
gather() {
  local target="$1"
  shift
  local file
  for file in "$@"; do
    cp "$root/$file" "$out/$target/${file//\//_}"
  done
}

cd "$root"
gather scenario scenarios/*.json scenarios/variants/*.json tests/scenario/valid/*.json \
  tests/scenario/invalid/*.json tests/golden/small.json
gather study scenarios/studies/*.json tests/scenario/invalid-study/*.json tests/golden/small-study.json \
  tests/fuzz/seeds/study/*.json
gather worker_task tests/fuzz/seeds/worker_task/*

python3 - "$root" "$out/worker_task" <<'PY'
import json, pathlib, sys
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for point, scenario in enumerate(["tests/golden/small.json", "scenarios/naicc-2025.json"]):
    task = {"run_id": "p%05d-r000" % point, "point": point, "replication": 0, "seed": 7,
            "payload": {"scenario": json.loads((root / scenario).read_text()),
                        "origin": "%s point %d" % (scenario, point),
                        "kpis": ["awarded", "rounds"], "events_file": None}}
    name = "generated_" + scenario.replace("/", "_") + "l"
    (out / name).write_text(json.dumps(task, separators=(",", ":")) + "\n")
PY

for target in scenario study worker_task; do
  echo "seeds: $target: $(find "$out/$target" -type f | wc -l) files"
done
