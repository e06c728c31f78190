#!/usr/bin/env python3
"""Sampling error of the agents' valuations: independent against antithetic paths.

Runs a scenario's first round under many seeds with the belief noise set to 0, so that from one
seed to the next only the Monte Carlo paths (and the delay draws) change, and measures the spread
of each lead's `value_bn_krw` and of its clause effects across seeds. That spread is the sampling
error of the valuation. A benchmark, not a test.

Usage: bench/path_error.py [TENDERLAB] [SCENARIO] [SEEDS] [CONFIG ...]
  CONFIG is PATHS (independent) or PATHSa (antithetic), e.g. 400 200a 400a; default 400 200 200a 400a.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

tenderlab = sys.argv[1] if len(sys.argv) > 1 else "build/cli/tenderlab"
scenario = sys.argv[2] if len(sys.argv) > 2 else "scenarios/naicc-2025.json"
seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 40
configs = sys.argv[4:] or ["400", "200", "200a", "400a"]


def decisions(config, seed, work):
    paths = int(config.rstrip("a"))
    out = os.path.join(work, f"{config}-{seed}")
    subprocess.run(
        [tenderlab, "run", scenario, "-q", "--force", "--out", out, "--seed", str(seed),
         "--set", "/calls/0/procedure/rounds=[]", "--set", "/market/belief_noise=0",
         "--set", f"/valuation/paths={paths}",
         "--set", f"/valuation/antithetic_paths={'true' if config.endswith('a') else 'false'}"],
        check=True)
    found = {}
    with open(os.path.join(out, "events.jsonl")) as events:
        for line in events:
            e = json.loads(line)
            if e["type"] != "bid_decision" or "value_bn_krw" not in e:
                continue
            key = (e["agent"], tuple(e["team"]))
            values = {"value": e["value_bn_krw"]}
            for effect in e.get("effects", []):
                values[effect["term"]] = effect["delta_bn_krw"]
            found.setdefault(key, values)
    return found


with tempfile.TemporaryDirectory() as work:
    samples = {}
    for config in configs:
        per_key = {}
        for seed in range(1, seeds + 1):
            for key, values in decisions(config, seed, work).items():
                for name, value in values.items():
                    per_key.setdefault((key, name), []).append(value)
        samples[config] = per_key

base = configs[0]
print(f"{scenario}, round 1, {seeds} seeds, belief noise 0: standard deviation across seeds "
      f"(bn KRW), median over the leads and teams seen in every configuration")
for quantity in ["value", "effects"]:
    row = []
    for config in configs:
        ratios, sds = [], []
        for (key, name), values in samples[config].items():
            if (quantity == "value") != (name == "value"):
                continue
            reference = samples[base].get((key, name))
            if not reference or len(values) < seeds // 2 or len(reference) < seeds // 2:
                continue
            sd, sd_ref = statistics.stdev(values), statistics.stdev(reference)
            if sd_ref > 1e-9:
                ratios.append(sd / sd_ref)
                sds.append(sd)
        row.append(f"{config}: sd {statistics.median(sds):.2f}, x{statistics.median(ratios):.2f} of {base}"
                   if ratios else f"{config}: -")
    print(f"  {quantity:8s} " + "; ".join(row))
