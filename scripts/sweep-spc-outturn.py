#!/usr/bin/env python3
"""How the SPC's measured outturn moves with where its GPUs serve and how awards are given.

Usage:
  scripts/sweep-spc-outturn.py [--tenderlab PATH] [SHARE ...]

SHARE is the naicc-spc object's public_use_share (default: 1 0.5 0; the scenarios use 1, the
centre's 15,000 GPUs counted among the 50,000 for public use). Each share is run on the
compute-use variants of scenarios/variants/ (without and with the demand shock), with the
allocation call's awards as work (the files' default) and as reservations, with
`tenderlab run --set /calls/0/object/public_use_share=…
--set /compute/allocation_calls/0/awards_hold_gpus=…`; public_use_discount stays at the files'
0, so the bids are the same in every run and only where the GPUs serve changes. The table
printed is the one docs/calibration/korea-2025-2030.md section 13 shows; its last column is the
contract settled on the measured years (docs/model/compute-use.md section 8).
"""
import argparse
import json
import pathlib
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCENARIOS = [
    ("no shock", ROOT / "scenarios/variants/korea-2025-2030-compute.json"),
    ("demand shock", ROOT / "scenarios/variants/korea-2025-2030-demand-shock.json"),
]


def run(tenderlab, path, share, hold, work):
    out = pathlib.Path(work) / f"{path.stem}-{share}-{hold}"
    subprocess.run([tenderlab, "run", str(path), "--out", str(out), "-q",
                    "--set", f"/calls/0/object/public_use_share={share}",
                    "--set", f"/compute/allocation_calls/0/awards_hold_gpus={hold}"],
                   check=True, stdout=subprocess.DEVNULL)
    return json.loads((out / "summary.json").read_text())


def settled(settlement):
    """The contract settled on the measured years: its lowest cover, and a default."""
    if settlement["operating_years"] == 0:
        return "no year settled"
    cover = settlement["lowest_cover_ratio"]
    text = "no service due" if cover is None else f"{cover:.2f}"
    year = settlement["defaulted_in_operating_year"]
    return text if year is None else f"{text}, defaulted in year {year}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenderlab", default=str(ROOT / "build/cli/tenderlab"))
    parser.add_argument("shares", nargs="*", type=float, default=[1, 0.5, 0])
    args = parser.parse_args()
    print("| run | awards | public_use_share | SPC used (outlook) | SPC sales, bn KRW (outlook) |"
          " SPC margin, bn KRW (outlook; lender's base case) | fleets used 2030 |"
          " fleets' new GPUs | allocation oversubscription | SPC's debt: lowest cover |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for (name, path), hold, share in ((s, h, x) for s in SCENARIOS for h in ("false", "true")
                                      for x in args.shares):
            summary = run(args.tenderlab, path, share, hold, work)
            compute = summary["compute"]
            spc = compute["spc_outturn"][0]
            kpis = summary["kpis"]
            print(f"| {name} | {'reserved' if hold == 'true' else 'work'} | {share:g} |"
                  f" {spc['utilization']['measured']:.0%} ({spc['utilization']['expected']:.0%}) |"
                  f" {spc['sales_bn_krw']['measured']:,.1f} ({spc['sales_bn_krw']['expected']:,.1f}) |"
                  f" {spc['margin_bn_krw']['measured']:,.1f} ({spc['margin_bn_krw']['expected']:,.1f};"
                  f" {spc['margin_bn_krw']['lender_base_case']:,.1f}) |"
                  f" {compute['utilization_by_year']['2030']['private']:.0%} |"
                  f" {kpis['fleet_gpus_online']:,.0f} |"
                  f" {kpis['allocation_oversubscription_mean']:.2f} |"
                  f" {settled(spc['settlement'])} |")


if __name__ == "__main__":
    main()
