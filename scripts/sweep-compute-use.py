#!/usr/bin/env python3
"""How the compute-use variants move with the assumptions they rest on, one at a time.

Usage:
  scripts/sweep-compute-use.py [--tenderlab PATH]

Runs scenarios/variants/korea-2025-2030-compute.json and -demand-shock.json as they are, then
with one `tenderlab run --set` each: the shock's multiplier, the fleets' learning weight, the
customers' patience, the user groups' patience in a queue, the scheduler (no backfilling; exact or generous wall times) and the
allocation call's price. The table printed is the one docs/calibration/korea-2025-2030.md
section 13 shows.
"""
import argparse
import json
import pathlib
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios/variants/korea-2025-2030-compute.json"
SHOCK = ROOT / "scenarios/variants/korea-2025-2030-demand-shock.json"
ROWS = [
    ("compute (no shock)", BASE, []),
    ("demand shock × 2.25", SHOCK, []),
    ("shock × 1.5", SHOCK, ["/events/6/multiplier=1.5"]),
    ("shock × 3", SHOCK, ["/events/6/multiplier=3"]),
    ("shock, learning weight 0.25", SHOCK, ["/compute/demand_learning_weight=0.25"]),
    ("shock, learning weight 0.75", SHOCK, ["/compute/demand_learning_weight=0.75"]),
    ("shock, customers wait 7 days", SHOCK, ["/compute/customer_max_wait_days=7"]),
    ("shock, customers wait 90 days", SHOCK, ["/compute/customer_max_wait_days=90"]),
    ("shock, users leave a queue after 7 days on average", SHOCK,
     [f"/compute/user_groups/{g}/queue_patience_days=7" for g in range(5)]),
    ("shock, fleets' customers leave a queue after 7 days on average", SHOCK,
     ["/compute/customer_queue_patience_days=7"]),
    ("no shock, first come first served", BASE, ["/compute/backfill_depth=0"]),
    ("shock, first come first served", SHOCK, ["/compute/backfill_depth=0"]),
    ("shock, exact wall times", SHOCK, ["/compute/walltime_factor=1"]),
    ("shock, wall times × 3", SHOCK, ["/compute/walltime_factor=3"]),
    ("shock, wall times scatter (spread 0.5)", SHOCK, ["/compute/walltime_spread=0.5"]),
    ("shock, wall times scatter (spread 1)", SHOCK, ["/compute/walltime_spread=1"]),
    ("no shock, allocation at 3,000 KRW/GPU-hour", BASE,
     ["/compute/allocation_calls/0/price_krw_per_gpu_hour=3000"]),
]


def run(tenderlab, path, sets, out):
    command = [tenderlab, "run", str(path), "--out", str(out), "-q"]
    for assignment in sets:
        command += ["--set", assignment]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return json.loads((out / "summary.json").read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenderlab", default=str(ROOT / "build/cli/tenderlab"))
    args = parser.parse_args()
    print("| Run | private use 2025 → 2026 → 2030 | public use 2026 → 2030 | fleets' new GPUs |"
          " GPUs brought online (calls and fleets) | universities' mean wait | jobs lost |"
          " jobs reneged | jobs backfilled | allocation oversubscription |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for index, (name, path, sets) in enumerate(ROWS):
            summary = run(args.tenderlab, path, sets, pathlib.Path(work) / str(index))
            compute = summary["compute"]
            years = compute["utilization_by_year"]
            kpis = summary["kpis"]
            backfilled = sum(p["jobs_backfilled"] for p in compute["pools"].values())
            print(f"| {name} | {years['2025']['private']:.0%} → {years['2026']['private']:.0%} →"
                  f" {years['2030']['private']:.0%} | {years['2026']['public']:.0%} →"
                  f" {years['2030']['public']:.0%} | {kpis['fleet_gpus_online']:,.0f} |"
                  f" {kpis['gpus_online_all']:,.0f} |"
                  f" {compute['universities']['mean_wait_hours']:.0f} h |"
                  f" {kpis['jobs_lost']:,.0f} | {kpis['jobs_reneged']:,.0f} | {backfilled:,} |"
                  f" {kpis['allocation_oversubscription_mean']:.2f} |".replace("%", " %"))


if __name__ == "__main__":
    main()
