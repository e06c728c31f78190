#!/usr/bin/env python3
"""Whether the SPC can service its debt on its measured use, across seeds and support levels.

Usage:
  scripts/sweep-spc-settlement.py [--tenderlab PATH] [--replications N] [SHARE ...]

SHARE is `/assumptions/sponsor_support_share` (default: 0 0.25 0.5, the plausible range; the
files use the default 0.25): the shortfalls the shareholders fund, as a share of the equity,
before the SPC defaults. Each share is run on the compute-use variants of scenarios/variants/
(without and with the demand shock) for replications 0 .. N-1 (default 5) with `tenderlab run
--replication R --set /assumptions={"sponsor_support_share": SHARE}`. The support level also
enters the bids (the valuation's waterfall), so the contract itself may change with it. The table
printed is the one docs/calibration/korea-2025-2030.md section 13 shows: per variant and share,
the runs whose SPC defaulted in a settled year, the median lowest debt-service cover, and the
mean shortfall and public support over the settled years.
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCENARIOS = [
    ("no shock", ROOT / "scenarios/variants/korea-2025-2030-compute.json"),
    ("demand shock", ROOT / "scenarios/variants/korea-2025-2030-demand-shock.json"),
]


def run(tenderlab, path, share, replication, work):
    out = pathlib.Path(work) / f"{path.stem}-{share}-{replication}"
    subprocess.run([tenderlab, "run", str(path), "--out", str(out), "-q",
                    "--replication", str(replication),
                    "--set", "/assumptions=" + json.dumps({"sponsor_support_share": share})],
                   check=True, stdout=subprocess.DEVNULL)
    return json.loads((out / "summary.json").read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenderlab", default=str(ROOT / "build/cli/tenderlab"))
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("shares", nargs="*", type=float, default=[0, 0.25, 0.5])
    args = parser.parse_args()
    print("| run | sponsor_support_share | SPC defaulted | lowest cover (median) |"
          " shortfall, bn KRW (mean) | public support, bn KRW (mean) | SPC used (outlook) |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for (name, path), share in ((s, x) for s in SCENARIOS for x in args.shares):
            defaults, covers, shortfalls, support, used, outlook, runs = 0, [], [], [], [], [], 0
            for replication in range(args.replications):
                summary = run(args.tenderlab, path, share, replication, work)
                for spc in summary["compute"]["spc_outturn"]:
                    settlement = spc["settlement"]
                    if settlement["operating_years"] == 0:
                        continue
                    runs += 1
                    defaults += settlement["defaulted_in_operating_year"] is not None
                    if settlement["lowest_cover_ratio"] is not None:
                        covers.append(settlement["lowest_cover_ratio"])
                    shortfalls.append(settlement["shortfall_bn_krw"])
                    support.append(settlement["public_support_bn_krw"])
                    used.append(spc["utilization"]["measured"])
                    outlook.append(spc["utilization"]["expected"])
            if runs == 0:
                print(f"| {name} | {share:g} | no SPC year settled | | | | |")
                continue
            print(f"| {name} | {share:g} | {defaults} of {runs} |"
                  f" {statistics.median(covers):.2f} |"
                  f" {statistics.mean(shortfalls):,.1f} | {statistics.mean(support):,.1f} |"
                  f" {statistics.mean(used):.0%} ({statistics.mean(outlook):.0%}) |")


if __name__ == "__main__":
    main()
