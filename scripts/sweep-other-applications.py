#!/usr/bin/env python3
"""How the national scenario's answer moves with other data centres' grid applications.

Usage:
  scripts/sweep-other-applications.py [--tenderlab PATH] [RATE ...]

RATE is the MW a year that data centres outside the model apply for in the whole country
(default: 0 150 400 1344 3000; 1,344 MW is KEPCO's 2022 figure). It is split among the grid's
nodes of scenarios/korea-2025-2030.json as docs/calibration/korea-2025-2030.md section 11 states:
88 % in the capital region (KEPCO 2022), there by the 2021 audit's shares of Seoul (24 %),
Gyeonggi (65 %, between its nodes by their existing load) and Incheon (11 %); the other 12 %
among the nodes outside it by their existing load. Each rate is run on the base scenario and on
the tight-capital-grid variant with `tenderlab run --set /grid/nodes/K/other_applications_mw_per_year=…`;
the table printed is the one section 11 shows.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCENARIOS = [
    ("base", ROOT / "scenarios/korea-2025-2030.json"),
    ("tight capital grid", ROOT / "scenarios/variants/korea-2025-2030-tight-capital-grid.json"),
]
CAPITAL_SHARE = 0.88
CAPITAL_SPLIT = {"seoul": 0.24, "gyeonggi": 0.65, "incheon": 0.11}  # by the node's region


def node_shares(scenario):
    """Each node's share of the country's applications, in the order of /grid/nodes."""
    nodes = scenario["grid"]["nodes"]
    region_load = {}
    outside_load = 0.0
    for node in nodes:
        if node.get("capital_region"):
            region_load[node["region"]] = region_load.get(node["region"], 0.0) + node.get("load_mw", 0)
        else:
            outside_load += node.get("load_mw", 0)
    shares = []
    for node in nodes:
        load = node.get("load_mw", 0)
        if node.get("capital_region"):
            region = node["region"]
            if region not in CAPITAL_SPLIT:
                sys.exit(f"no capital share for region {region!r}")
            shares.append(CAPITAL_SHARE * CAPITAL_SPLIT[region] * load / region_load[region]
                          if region_load[region] > 0 else 0.0)
        else:
            shares.append((1 - CAPITAL_SHARE) * load / outside_load if outside_load > 0 else 0.0)
    return shares


def run(tenderlab, path, rate, work):
    scenario = json.loads(path.read_text())
    sets = []
    for index, share in enumerate(node_shares(scenario)):
        sets += ["--set", f"/grid/nodes/{index}/other_applications_mw_per_year={rate * share:.3f}"]
    out = pathlib.Path(work) / f"{path.stem}-{rate}"
    subprocess.run([tenderlab, "run", str(path), "--out", str(out), "-q"] + sets, check=True,
                   stdout=subprocess.DEVNULL)
    return json.loads((out / "summary.json").read_text())["programme"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenderlab", default=str(ROOT / "build/cli/tenderlab"))
    parser.add_argument("rates", nargs="*", type=float, default=[0, 150, 400, 1344, 3000])
    args = parser.parse_args()
    print("| applications, MW/year | run | GPUs online at the end | of them in the capital region |"
          " others granted, capital region (of applied) | others granted, elsewhere (of applied) |"
          " fleet decisions stopped by the grid |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for rate in args.rates:
            for name, path in SCENARIOS:
                p = run(args.tenderlab, path, rate, work)
                others = p["other_applications"]
                all_gpus = next(t["online_at_end"] for t in p["targets"] if t["scope"] == "all")
                stopped = sum(year["grid"] for year in p["fleet_limits_by_year"].values())
                print(f"| {rate:,.0f} | {name} | {all_gpus:,} |"
                      f" {p['gpus_online_by']['region_class'].get('capital', 0):,} |"
                      f" {others['capital']['granted_mw']:,.0f} ({others['capital']['requested_mw']:,.0f}) |"
                      f" {others['non_capital']['granted_mw']:,.0f} ({others['non_capital']['requested_mw']:,.0f}) |"
                      f" {stopped} |")


if __name__ == "__main__":
    main()
