#!/usr/bin/env python3
"""What each fleet instrument of the levers study buys in GPUs and costs the state.

Usage:
  scripts/levers-cost.py DATABASE [--resamples N]

DATABASE is the SQLite file of `tenderlab study scenarios/studies/korea-2030-levers.json
--db DATABASE`. Over its runs, the fleets' new GPUs (`fleet_gpus_online`) and the programme's
public cost (`programme_public_cost_bn_krw`) are fitted by least squares on the study's factors,
the anchor taken as what it commits (GPU-hours a year x price x years, bn KRW). For each
instrument the script prints the change of both per step of the instrument, and their ratio:
the public cost of one more GPU brought by that instrument (the marginal cost, which counts what
the instrument pays for GPUs the fleets would have bought anyway). Intervals: 5th and 95th
percentiles over bootstrap resamples of the study's points (both replications of a point
together); a resample in which an instrument adds no GPU makes its cost per GPU unbounded. The table is the one docs/calibration/korea-2025-2030.md section 11 shows.
"""
import argparse
import json
import random
import sqlite3

FACTORS = ["investment_tax_credit", "tariff_discount", "anchor_committed_bn_krw", "buyer_cap",
           "vendor_capacity", "demand_growth"]
# The instruments reported, with the step the table reads them in.
STEPS = [("investment_tax_credit", 0.1, "tax credit +0.10"),
         ("tariff_discount", 0.1, "tariff discount +0.10"),
         ("anchor_committed_bn_krw", 1000.0, "anchor +1,000 bn KRW committed"),
         ("demand_growth", 0.1, "demand growth +0.10 a year (not an instrument)")]


def read_runs(path):
    db = sqlite3.connect(path)
    points = {p: json.loads(f) for p, f in db.execute("SELECT point, factors FROM points")}
    runs = {}
    for run, point, name, value in db.execute(
            "SELECT r.run_id, r.point, k.name, k.value FROM runs r JOIN kpis k USING (run_id) "
            "WHERE r.status = 'ok'"):
        runs.setdefault(run, {"point": point})[name] = value
    for run in runs.values():
        f = points[run["point"]]
        run.update(f)
        run["anchor_committed_bn_krw"] = (f["anchor_gpu_hours"] * f["anchor_price_krw"] *
                                          f["anchor_years"] / 1e9)
    return list(runs.values())


def least_squares(rows, outcome):
    """Coefficients of outcome on a constant and FACTORS (normal equations, Gauss-Jordan)."""
    xs = [[1.0] + [r[f] for f in FACTORS] for r in rows]
    n = len(xs[0])
    a = [[sum(x[i] * x[j] for x in xs) for j in range(n)] +
         [sum(x[i] * r[outcome] for x, r in zip(xs, rows))] for i in range(n)]
    for i in range(n):
        pivot = max(range(i, n), key=lambda k: abs(a[k][i]))
        a[i], a[pivot] = a[pivot], a[i]
        for k in range(n):
            if k != i:
                factor = a[k][i] / a[i][i]
                a[k] = [u - factor * v for u, v in zip(a[k], a[i])]
    coefficients = [a[i][n] / a[i][i] for i in range(n)]
    return dict(zip(["const"] + FACTORS, coefficients))


def r_squared(rows, outcome, b):
    ys = [r[outcome] for r in rows]
    mean = sum(ys) / len(ys)
    fitted = [b["const"] + sum(b[f] * r[f] for f in FACTORS) for r in rows]
    return 1 - sum((y - p) ** 2 for y, p in zip(ys, fitted)) / sum((y - mean) ** 2 for y in ys)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--resamples", type=int, default=400)
    args = parser.parse_args()
    rows = read_runs(args.database)
    gpus = least_squares(rows, "fleet_gpus_online")
    cost = least_squares(rows, "programme_public_cost_bn_krw")
    by_point = {}
    for r in rows:
        by_point.setdefault(r["point"], []).append(r)
    points = sorted(by_point)
    rng = random.Random(2030)
    draws = []
    for _ in range(args.resamples):
        sample = [r for p in (rng.choice(points) for _ in points) for r in by_point[p]]
        draws.append((least_squares(sample, "fleet_gpus_online"),
                      least_squares(sample, "programme_public_cost_bn_krw")))

    def interval(values):
        values = sorted(values)
        return values[int(0.05 * (len(values) - 1))], values[int(0.95 * (len(values) - 1))]

    print(f"{len(rows)} runs at {len(points)} points; fit R^2: fleets' new GPUs "
          f"{r_squared(rows, 'fleet_gpus_online', gpus):.3f}, public cost "
          f"{r_squared(rows, 'programme_public_cost_bn_krw', cost):.3f}; "
          f"{args.resamples} bootstrap resamples of the points")
    print("| step | fleets' new GPUs | programme's public cost, bn KRW | "
          "public cost per GPU it adds, bn KRW |")
    print("|---|---|---|---|")
    for factor, step, label in STEPS:
        g = gpus[factor] * step
        c = cost[factor] * step
        g_lo, g_hi = interval([d[0][factor] * step for d in draws])
        c_lo, c_hi = interval([d[1][factor] * step for d in draws])
        # A resample in which the instrument adds no GPU gives an unbounded cost per GPU.
        per = [d[1][factor] / d[0][factor] if d[0][factor] > 0 else float("inf") for d in draws]
        lo, hi = interval(per)
        shown = [f"{x:.2f}" if x != float("inf") else "unbounded" for x in
                 (c / g if g > 0 else float("inf"), lo, hi)]
        ratio = f"{shown[0]} [{shown[1]}, {shown[2]}]"
        print(f"| {label} | {g:+,.0f} [{g_lo:+,.0f}, {g_hi:+,.0f}] | "
              f"{c:+,.1f} [{c_lo:+,.1f}, {c_hi:+,.1f}] | {ratio} |")
    total = sum(r["programme_public_cost_bn_krw"] for r in rows)
    for item in ["anchor_purchases_bn_krw", "tariff_discount_bn_krw", "fleet_tax_credit_bn_krw"]:
        print(f"{item}: {sum(r[item] for r in rows) / total:.1%} of the public cost over the runs, "
              f"at most {max(r[item] for r in rows):,.1f} bn KRW in one run")
    bought = [r["anchor_purchases_bn_krw"] / r["anchor_committed_bn_krw"] for r in rows
              if r["anchor_committed_bn_krw"] > 0]
    bought.sort()
    print(f"anchor bought of what it committed: median {bought[len(bought) // 2]:.2f}, "
          f"lowest {bought[0]:.2f}")


if __name__ == "__main__":
    main()
