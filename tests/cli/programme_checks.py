#!/usr/bin/env python3
"""End-to-end checks of the national programme (scenarios/korea-2025-2030.json): its outcome must
not depend on the order agents, relationships, sites, grid nodes and lines are listed in, and
its variants must move it the way their mechanisms predict.

With compute use (scenarios/variants/korea-2025-2030-compute.json and -demand-shock.json): the
same order independence, allocation shares that hold, and a demand shock that fills the fleets
and makes them expand.

Usage: programme_checks.py CHECK TENDERLAB SOURCE_DIR
  CHECK: permutations | variants | compute-permutations | compute
"""
import json
import os
import random
import subprocess
import sys
import tempfile

SCENARIO = "scenarios/korea-2025-2030.json"


def fail(message):
    print("FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def summary(tenderlab, path, out):
    result = subprocess.run([tenderlab, "run", path, "--out", out, "--force", "-q"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{path}: exit {result.returncode}: {result.stderr.strip()}")
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        return json.load(f)


def read_csv(path):
    import csv
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def check_stock(out, programme):
    """gpus_online.csv adds up, at every month boundary, to what timeseries.csv says is online
    (plus the GPUs at the start), and at the end to summary.json's breakdowns."""
    by_date = {}
    for row in read_csv(os.path.join(out, "gpus_online.csv")):
        by_date[row["date"]] = by_date.get(row["date"], 0) + int(row["gpus_online"])
    series = read_csv(os.path.join(out, "timeseries.csv"))
    for row in series:
        expected = programme["gpus_at_start"] + int(row["gpus_online_all"])
        if by_date.get(row["date"], 0) != expected:
            fail(f"{row['date']}: gpus_online.csv sums to {by_date.get(row['date'], 0)}, "
                 f"timeseries.csv has {expected} with the GPUs at the start")
    total = programme["gpus_at_start"] + programme["gpus_online_all"]
    for dimension, counts in programme["gpus_online_by"].items():
        if sum(counts.values()) != total:
            fail(f"gpus_online_by.{dimension} sums to {sum(counts.values())}, not {total}")
    return len(series)


def check_permutations(tenderlab, source_dir, work):
    with open(os.path.join(source_dir, SCENARIO), encoding="utf-8") as f:
        base = json.load(f)
    reference = summary(tenderlab, os.path.join(source_dir, SCENARIO), os.path.join(work, "base"))
    rng = random.Random(7)
    for trial in range(3):
        shuffled = json.loads(json.dumps(base))
        for key in ("agents", "relationships", "sites"):
            (shuffled[key].reverse() if trial == 0 else rng.shuffle(shuffled[key]))
        for key in ("nodes", "lines", "upgrades"):
            (shuffled["grid"][key].reverse() if trial == 0 else rng.shuffle(shuffled["grid"][key]))
        path = os.path.join(work, f"shuffled-{trial}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(shuffled, f)
        got = summary(tenderlab, path, os.path.join(work, f"run-{trial}"))
        if got["kpis"] != reference["kpis"]:
            diff = {k: (reference["kpis"][k], got["kpis"].get(k)) for k in reference["kpis"]
                    if reference["kpis"][k] != got["kpis"].get(k)}
            fail(f"order {trial}: KPIs differ: {diff}")
        if got["programme"] != reference["programme"]:
            fail(f"order {trial}: the programme summary differs")
        with open(os.path.join(work, "base", "gpus_online.csv"), "rb") as a, \
                open(os.path.join(work, f"run-{trial}", "gpus_online.csv"), "rb") as b:
            if a.read() != b.read():
                fail(f"order {trial}: gpus_online.csv differs")
    months = check_stock(os.path.join(work, "base"), reference["programme"])
    print(f"gpus_online.csv adds up to timeseries.csv at {months} month boundaries")
    print(f"3 orders: the same {len(reference['kpis'])} KPIs and programme summary; "
          f"{reference['programme']['gpus_online_all']} GPUs brought online")


def check_variants(tenderlab, source_dir, work):
    def fleets(name):
        path = os.path.join(source_dir, "scenarios", "variants", f"korea-2025-2030-{name}.json")
        return summary(tenderlab, path, os.path.join(work, name))["programme"]
    base = summary(tenderlab, os.path.join(source_dir, SCENARIO), os.path.join(work, "base"))
    base = base["programme"]
    no_incentives, shock = fleets("no-incentives"), fleets("gpu-price-shock")
    # Without the instruments a GPU earns less: the fleets buy no more than with them.
    if no_incentives["gpus_online_fleets"] > base["gpus_online_fleets"]:
        fail(f"no incentives: fleets {no_incentives['gpus_online_fleets']} > base "
             f"{base['gpus_online_fleets']}")
    if no_incentives["fleet_tax_credit_bn_krw"] != 0:
        fail("no incentives: the fleets still earn a tax credit")
    # Dearer and scarcer GPUs: fewer GPUs in all, and the later public purchase fails.
    if shock["gpus_online_all"] >= base["gpus_online_all"]:
        fail(f"price shock: {shock['gpus_online_all']} GPUs >= base {base['gpus_online_all']}")
    public = {t["id"]: t for t in shock["targets"]}["public-50k"]
    if public["met"]:
        fail("price shock: the public target is still met")
    if no_incentives["anchor_purchases_bn_krw"] != 0 or no_incentives["tariff_discount_bn_krw"] != 0:
        fail("no incentives: the state still pays for an anchor or a tariff discount")
    check_public_cost(source_dir, os.path.join(work, "base"), base)
    print(f"fleets: base {base['gpus_online_fleets']}, no incentives "
          f"{no_incentives['gpus_online_fleets']}, price shock {shock['gpus_online_fleets']}")


def check_public_cost(source_dir, out, programme):
    """The programme's public cost is the sum of its items; the anchor bought what the state
    committed to (the fleets have the capacity to sell it), quarter by quarter, with no quarter
    counted twice or left out; timeseries.csv's running total never falls and ends at the total
    paid before the last part quarter."""
    with open(os.path.join(source_dir, SCENARIO), encoding="utf-8") as f:
        instruments = json.load(f)["programme"]["fleet_instruments"]
    items = programme["public_cost_by_item"]
    if abs(sum(items.values()) - programme["public_cost_bn_krw"]) > 1e-6:
        fail(f"public cost {programme['public_cost_bn_krw']} is not the sum of {items}")
    committed = (instruments["anchor_gpu_hours_per_year"] * instruments["anchor_years"])
    if abs(programme["anchor_gpu_hours"] - committed) > 1:
        fail(f"the anchor bought {programme['anchor_gpu_hours']} GPU-hours, {committed} committed")
    paid = committed * instruments["anchor_price_krw"] / 1e9
    if abs(items["anchor_purchases"] - paid) > 0.05:
        fail(f"anchor purchases {items['anchor_purchases']} bn KRW, {paid} committed")
    if not items["tariff_discount"] > 0:
        fail("a tariff discount outside the capital region that costs nothing")
    events, periods = [], {}
    with open(os.path.join(out, "events.jsonl"), encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            if e["type"] == "instrument_cost":
                events.append(e)
                if (e["agent"], e["from"]) in periods:
                    fail(f"{e['agent']}: the quarter from {e['from']} is accounted twice")
                periods[(e["agent"], e["from"])] = e
    total = sum(e["anchor_bn_krw"] + e["tariff_discount_bn_krw"] for e in events)
    if abs(total - items["anchor_purchases"] - items["tariff_discount"]) > 0.01:
        fail(f"instrument_cost events sum to {total}, the summary says "
             f"{items['anchor_purchases'] + items['tariff_discount']}")
    running = [float(r["fleet_instruments_bn_krw"])
               for r in read_csv(os.path.join(out, "timeseries.csv"))]
    if any(b < a for a, b in zip(running, running[1:])):
        fail("timeseries.csv's fleet_instruments_bn_krw falls")
    last = max(e["date"] for e in events)
    before_last = sum(e["anchor_bn_krw"] + e["tariff_discount_bn_krw"] for e in events
                      if e["date"] < last)
    if abs(running[-1] - before_last) > 0.01:
        fail(f"timeseries.csv ends at {running[-1]}, the quarters before {last} paid {before_last}")
    print(f"public cost {programme['public_cost_bn_krw']:.1f} bn KRW = {items}; "
          f"{len(events)} instrument_cost events")


COMPUTE = "scenarios/variants/korea-2025-2030-compute.json"


def check_compute_permutations(tenderlab, source_dir, work):
    with open(os.path.join(source_dir, COMPUTE), encoding="utf-8") as f:
        base = json.load(f)
    reference = summary(tenderlab, os.path.join(source_dir, COMPUTE), os.path.join(work, "base"))
    rng = random.Random(11)
    for trial in range(2):
        shuffled = json.loads(json.dumps(base))
        for key in ("agents", "relationships", "sites"):
            (shuffled[key].reverse() if trial == 0 else rng.shuffle(shuffled[key]))
        for key in ("user_groups", "allocation_calls"):
            (shuffled["compute"][key].reverse() if trial == 0
             else rng.shuffle(shuffled["compute"][key]))
        for call in shuffled["compute"]["allocation_calls"]:
            call["shares"].reverse()
        path = os.path.join(work, f"shuffled-{trial}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(shuffled, f)
        got = summary(tenderlab, path, os.path.join(work, f"run-{trial}"))
        for key in ("kpis", "programme", "compute"):
            if got[key] != reference[key]:
                fail(f"order {trial}: {key} differs")
    print(f"2 orders: the same {len(reference['kpis'])} KPIs, programme and compute summaries")


def settlement_date(first, year):
    """The first day of the month after operating year `year` (1-based) of an SPC first online on
    `first`: the day its settlement is logged, at noon."""
    index = int(first[:4]) * 12 + int(first[5:7]) - 1 + 12 * year
    return f"{index // 12:04d}-{index % 12 + 1:02d}-01"


def check_compute(tenderlab, source_dir, work):
    base = summary(tenderlab, os.path.join(source_dir, COMPUTE), os.path.join(work, "base"))
    path = os.path.join(source_dir, "scenarios", "variants", "korea-2025-2030-demand-shock.json")
    shock = summary(tenderlab, path, os.path.join(work, "shock"))
    # Allocation rounds: a group that asked for at least its entitlement gets at least it (exactly
    # it when nobody leaves GPUs over), and no round awards more than it offers.
    decided = []
    for run in ("base", "shock"):
        with open(os.path.join(work, run, "events.jsonl"), encoding="utf-8") as f:
            decided += [json.loads(line) for line in f if '"allocation_decided"' in line]
    if not decided:
        fail("no allocation rounds")
    exact = 0
    for r in decided:
        if r["awarded_gpus"] > r["capacity_gpus"]:
            fail(f"round {r['round']}: awarded {r['awarded_gpus']} > offered {r['capacity_gpus']}")
        under = any(g["requested_gpus"] < g["entitled_gpus"] for g in r["groups"])
        for g in r["groups"]:
            if g["requested_gpus"] >= g["entitled_gpus"]:
                if g["awarded_gpus"] < g["entitled_gpus"]:
                    fail(f"round {r['round']}: {g['group']} got {g['awarded_gpus']} < entitled "
                         f"{g['entitled_gpus']}")
                if not under:
                    exact += 1
                    if g["awarded_gpus"] != g["entitled_gpus"]:
                        fail(f"round {r['round']}: {g['group']} got {g['awarded_gpus']}, "
                             f"entitled to exactly {g['entitled_gpus']}")
            elif g["awarded_gpus"] != g["requested_gpus"]:
                fail(f"round {r['round']}: {g['group']} asked {g['requested_gpus']}, got "
                     f"{g['awarded_gpus']}")
    if exact == 0:
        fail("no round in which every group asked for its entitlement: shares not exercised")
    # The public pool's months split exactly among the calls whose GPUs are in it (each field is
    # rounded to 0.01 GPU-hours, 0.001 bn KRW or MWh), and the centre's GPUs are among them.
    split = 0
    for run in ("base", "shock"):
        with open(os.path.join(work, run, "events.jsonl"), encoding="utf-8") as f:
            months = [json.loads(line) for line in f if '"compute_month"' in line]
        for m in months:
            if m["pool"] != "public" or m["gpus"] == 0:
                continue
            sources = m["sources"]
            if sum(s["gpus"] for s in sources) != m["gpus"]:
                fail(f"{run} {m['from']}: sources' GPUs {sources} != the pool's {m['gpus']}")
            for key, step in (("capacity_gpu_hours", 0.01), ("busy_gpu_hours", 0.01),
                              ("value_bn_krw", 0.001), ("it_mwh", 0.001)):
                total = sum(s[key] for s in sources)
                if abs(total - m[key]) > step * (len(sources) + 1) + 1e-9 * abs(m[key]):
                    fail(f"{run} {m['from']}: sources' {key} {total} != the pool's {m[key]}")
            split += any(s["source"] == "naicc-spc" for s in sources)
    if split == 0:
        fail("the centre's GPUs never appear among the public pool's sources")
    # Pods stand at their sites: every month's sites add up to the pool, and over the run the
    # energy by region adds up to the whole; a site's unfilled pod leaves fewer than pod_gpus of
    # its GPUs waiting.
    with open(os.path.join(source_dir, COMPUTE), encoding="utf-8") as f:
        document = json.load(f)
    pod_gpus = document["compute"]["pod_gpus"]
    # A pool waits for at most pod_gpus - 1 GPUs at each site (with its PUE and tariff), and
    # at no site for a fleet's GPUs of the start: per pool, the scenario's sites and one more,
    # twice for the calls' objects' PUE (a bound, not an estimate).
    placements = 2 * (len(document["sites"]) + 1)
    sited = 0
    for run, result in (("base", base), ("shock", shock)):
        with open(os.path.join(work, run, "events.jsonl"), encoding="utf-8") as f:
            months = [json.loads(line) for line in f if '"compute_month"' in line]
        for m in months:
            if sum(site["gpus"] for site in m["sites"]) != m["gpus"]:
                fail(f"{run} {m['pool']} {m['from']}: sites' GPUs != the pool's {m['gpus']}")
            for key in ("it_mwh", "facility_mwh", "energy_cost_bn_krw"):
                total = sum(site[key] for site in m["sites"])
                if abs(total - m[key]) > 0.001 * (len(m["sites"]) + 1) + 1e-9 * abs(m[key]):
                    fail(f"{run} {m['pool']} {m['from']}: sites' {key} {total} != {m[key]}")
            sited += len(m["sites"]) > 1
        compute = result["compute"]
        regions = compute["energy_by_region"]
        if abs(sum(r["facility_mwh"] for r in regions.values()) - compute["facility_mwh"]) > 1:
            fail(f"{run}: energy by region {regions} does not add up to {compute['facility_mwh']}")
        in_pods = sum(r["gpus"] for r in regions.values())
        online = result["programme"]["gpus_at_start"] + result["programme"]["gpus_online_all"]
        if not online - len(compute["pools"]) * placements * (pod_gpus - 1) <= in_pods <= online:
            fail(f"{run}: {in_pods} GPUs in pods of {online} online")
    if sited == 0:
        fail("no pool ever had pods at two sites")
    # The SPC's contract is settled on its measured use: one spc_year_settled per operating
    # year that ended before the horizon, on the margin the outturn measured for that year, its
    # lines consistent with its status, and a default never undone.
    settled_years = 0
    for run, result in (("base", base), ("shock", shock)):
        with open(os.path.join(work, run, "events.jsonl"), encoding="utf-8") as f:
            settled = [json.loads(line) for line in f if '"spc_year_settled"' in line]
        for outturn in result["compute"]["spc_outturn"]:
            everything = [e for e in settled if e["call"] == outturn["call"]]
            # Year 0 is the year a delayed delivery lost: nothing ran, nothing was measured.
            mine = [e for e in everything if e["operating_year"] >= 1]
            measured = outturn["by_operating_year"]
            # Settled at noon, so before the end of the run (end_date, 00:00).
            complete = [y for y in measured if settlement_date(
                outturn["first_online"], y["operating_year"]) < result["end_date"]]
            if len(mine) != len(complete):
                fail(f"{run} {outturn['call']}: {len(mine)} years settled, {len(complete)} "
                     f"complete operating years")
            defaulted = False
            lost = [e for e in everything if e["operating_year"] == 0]
            for event, year in zip(lost + mine, [None] * len(lost) + complete):
                where = f"{run} {outturn['call']} year {event['operating_year']}"
                if year and abs(event["margin_bn_krw"] - year["margin_bn_krw"]["measured"]) > 0.002:
                    fail(f"{where}: settled on {event['margin_bn_krw']}, measured "
                         f"{year['margin_bn_krw']['measured']}")
                support = event["private_support_bn_krw"] + event["public_support_bn_krw"]
                if event["status"] == "covered" and (event["shortfall_bn_krw"] > 0 or support):
                    fail(f"{where}: covered with a shortfall or support")
                if event["status"] == "supported" and abs(support - event["shortfall_bn_krw"]) > 0.002:
                    fail(f"{where}: support {support} != shortfall {event['shortfall_bn_krw']}")
                if event["status"] == "defaulted" and support:
                    fail(f"{where}: supported in default")
                if defaulted and event["status"] != "defaulted":
                    fail(f"{where}: a default undone")
                defaulted = event["status"] == "defaulted"
                settled_years += 1
            entry = outturn["settlement"]
            if entry["operating_years"] != len(everything):
                fail(f"{run}: summary settles {entry['operating_years']} years, log {len(mine)}")
    if settled_years == 0:
        fail("no SPC operating year settled")
    # The demand shock fills the fleets (2026 versus 2025) and they expand more than without it.
    years = shock["compute"]["utilization_by_year"]
    if not (years["2025"]["private"] < 0.5 and years["2026"]["private"] > 0.8):
        fail(f"demand shock: private utilisation 2025 {years['2025']['private']}, "
             f"2026 {years['2026']['private']}")
    base_2026 = base["compute"]["utilization_by_year"]["2026"]["private"]
    if base_2026 >= years["2026"]["private"]:
        fail(f"demand shock: 2026 utilisation {years['2026']['private']} <= base {base_2026}")
    if shock["programme"]["gpus_online_fleets"] <= base["programme"]["gpus_online_fleets"]:
        fail(f"demand shock: fleets {shock['programme']['gpus_online_fleets']} <= base "
             f"{base['programme']['gpus_online_fleets']}")
    print(f"{len(decided)} allocation rounds, {exact} group awards exactly at entitlement; "
          f"{split} public months with the centre's GPUs measured apart; "
          f"{sited} pool months with pods at several sites; {settled_years} SPC years settled; "
          f"private use 2025 {years['2025']['private']} -> 2026 {years['2026']['private']} "
          f"(base {base_2026}); fleets {base['programme']['gpus_online_fleets']} -> "
          f"{shock['programme']['gpus_online_fleets']}")


CHECKS = {"permutations": check_permutations, "variants": check_variants,
          "compute-permutations": check_compute_permutations, "compute": check_compute}

if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in CHECKS:
        fail("usage: programme_checks.py " + "|".join(CHECKS) + " TENDERLAB SOURCE_DIR")
    with tempfile.TemporaryDirectory() as work:
        CHECKS[sys.argv[1]](sys.argv[2], sys.argv[3], work)
    print("ok: " + sys.argv[1])
