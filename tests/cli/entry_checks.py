#!/usr/bin/env python3
"""End-to-end checks of who bids in the flagship scenario (scenarios/naicc-2025.json): the
outcome must not depend on the order agents and relationships are listed in, the 2025 history
must come out of the agents' decisions over many seeds, and the terms must be what moves it.

Usage: entry_checks.py CHECK TENDERLAB SOURCE_DIR
  CHECK: attribution | permutations | history | negative-controls | half-capital | sweep
  (sweep is a measurement, not a test: the history match over the assumed parameters that move
  entry, within their plausible ranges, as in docs/calibration/naicc-2025.md.)
"""
import collections
import concurrent.futures
import copy
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile

# The 2025 rounds: no bid, no bid, one bid.
HISTORY = (0, 0, 1)
HISTORY_REPLICATIONS = 50
# What the entry equilibrium reproduces, measured with this check over 50 replications: the full
# history (0, 0, 1) in 50 of 50, Samsung SDS leading the Samsung group's team
# (docs/calibration/naicc-2025.md). The check defends the full history in at least 90 % of the
# replications (sampling room, not room for a change of the model).
MIN_SHARE = 0.9


def fail(message):
    print("FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def outcome(tenderlab, scenario, replication, out):
    """(bids per round, winner) of one run."""
    result = subprocess.run([tenderlab, "run", scenario, "--replication", str(replication),
                             "--out", out, "--force", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        fail(f"{os.path.basename(scenario)} replication {replication}: exit "
             f"{result.returncode}: {result.stderr.strip()}")
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        call = json.load(f)["calls"][0]
    return tuple(call["bids_per_round"]), call.get("winner")


def entrants(out):
    """Per round, the leads the settlement let bid."""
    result = {}
    with open(os.path.join(out, "events.jsonl"), encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            if event["type"] == "entry_settled":
                result[event["round"]] = event["entrants"]
    return result


def load(source_dir):
    with open(os.path.join(source_dir, "scenarios", "naicc-2025.json"), encoding="utf-8") as f:
        return json.load(f)


def write(work, name, scenario, source_dir):
    scenario = copy.deepcopy(scenario)
    # The copy lives elsewhere: point at the schema by absolute path (the loader ignores $schema).
    scenario["$schema"] = os.path.join(source_dir, "scenarios", "schema", "scenario.schema.json")
    path = os.path.join(work, name + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(scenario, f, indent=1)
    return path


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def check_permutations(tenderlab, source_dir, work):
    # Five random orders of the agents, of the relationships (each edge also reversed at random)
    # and of the calls: every replication gives the same bids per round, the same winner and the
    # same entrants as the file's order, and the same event log, byte for byte (actors that act
    # at the same moment act in id order, not file order).
    base = load(source_dir)
    shuffle = random.Random(20250123)
    replications = range(4)
    reference_path = write(work, "reference", base, source_dir)
    reference = {}
    for r in replications:
        out = os.path.join(work, f"ref-{r}")
        reference[r] = (outcome(tenderlab, reference_path, r, out), entrants(out))
    for k in range(5):
        permuted = copy.deepcopy(base)
        shuffle.shuffle(permuted["agents"])
        shuffle.shuffle(permuted["relationships"])
        for rel in permuted["relationships"]:
            if shuffle.random() < 0.5:
                rel["from"], rel["to"] = rel["to"], rel["from"]
        shuffle.shuffle(permuted["calls"])
        order = [a["id"] for a in permuted["agents"]]
        path = write(work, f"permuted-{k}", permuted, source_dir)
        for r in replications:
            out = os.path.join(work, f"perm-{k}-{r}")
            got = (outcome(tenderlab, path, r, out), entrants(out))
            if got != reference[r]:
                fail(f"permutation {k} ({' '.join(order)}), replication {r}: {got} != "
                     f"{reference[r]} in file order")
            if read_bytes(os.path.join(out, "events.jsonl")) != read_bytes(
                    os.path.join(work, f"ref-{r}", "events.jsonl")):
                fail(f"permutation {k} ({' '.join(order)}), replication {r}: the event log "
                     "differs from the one in file order")
        print(f"permutation {k}: {' '.join(order)}: same outcomes, same event logs")
    print("outcomes in file order:", {r: reference[r][0] for r in replications})


def distribution(tenderlab, path, work, name, replications):
    counts = collections.Counter()
    for r in range(replications):
        counts[outcome(tenderlab, path, r, os.path.join(work, f"{name}-{r}"))] += 1
    return counts


def check_history(tenderlab, source_dir, work):
    path = write(work, "naicc", load(source_dir), source_dir)
    counts = distribution(tenderlab, path, work, "history", HISTORY_REPLICATIONS)
    matches = sum(n for (bids, _), n in counts.items() if bids == HISTORY)
    failed_then_awarded = sum(n for (bids, winner), n in counts.items()
                              if len(bids) == 3 and bids[:2] == (0, 0) and bids[2] >= 1 and winner)
    for (bids, winner), n in counts.most_common():
        print(f"  {n:3d} x bids per round {bids}, winner {winner}")
    print(f"history {HISTORY} matched in {matches} of {HISTORY_REPLICATIONS} replications")
    print(f"rounds 1-2 without bid, round 3 awarded: {failed_then_awarded} of "
          f"{HISTORY_REPLICATIONS}")
    if matches < MIN_SHARE * HISTORY_REPLICATIONS:
        fail(f"history {HISTORY} matched in {matches} of {HISTORY_REPLICATIONS} replications, "
             f"below {MIN_SHARE:.0%}")


# The assumed parameters that move who bids, over the ranges docs/calibration/naicc-2025.md gives
# as plausible: every agent's bid cost scaled (5 bn KRW for a large lead becomes 2 to 10), every
# strategic value scaled by half to twice, and the evaluation noise score_temperature from 2 to 10
# points (docs/parameters.md).
SWEEP_BID_COST_SCALES = (0.4, 1.0, 2.0)
SWEEP_STRATEGIC_SCALES = (0.5, 1.0, 2.0)
SWEEP_TEMPERATURES = (2.0, 3.0, 5.0, 10.0)


def check_sweep(tenderlab, source_dir, work):
    base = load(source_dir)
    points = list(itertools.product(SWEEP_BID_COST_SCALES, SWEEP_STRATEGIC_SCALES,
                                    SWEEP_TEMPERATURES))

    def measure(index, point):
        bid_scale, strategic_scale, temperature = point
        scenario = copy.deepcopy(base)
        for agent in scenario["agents"]:
            if "bid_cost_bn_krw" in agent:
                agent["bid_cost_bn_krw"] *= bid_scale
            if "strategic_value_bn_krw" in agent:
                agent["strategic_value_bn_krw"] *= strategic_scale
        scenario.setdefault("assumptions", {})["score_temperature"] = temperature
        path = write(work, f"sweep-{index}", scenario, source_dir)
        return distribution(tenderlab, path, work, f"sweep-{index}", HISTORY_REPLICATIONS)

    # Two runs at a time, as the build and the tests do on this project's machines.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda ip: measure(*ip), enumerate(points)))
    print(f"history {HISTORY} over {HISTORY_REPLICATIONS} replications per point")
    print("| bid cost x | strategic x | score_temperature | full history | rounds 1-2 no bid "
          "| round-3 bids (runs) |")
    print("|---|---|---|---|---|---|")
    for (bid_scale, strategic_scale, temperature), counts in zip(points, results):
        full = sum(n for (bids, _), n in counts.items() if bids == HISTORY)
        quiet = sum(n for (bids, _), n in counts.items() if bids[:2] == (0, 0))
        third = collections.Counter()
        for (bids, _), n in counts.items():
            third[bids[2] if len(bids) >= 3 else "-"] += n
        spread = ", ".join(f"{k}: {third[k]}" for k in sorted(third, key=str))
        print(f"| {bid_scale:g} | {strategic_scale:g} | {temperature:g} | {full}/"
              f"{HISTORY_REPLICATIONS} | {quiet}/{HISTORY_REPLICATIONS} | {spread} |")


def check_negative_controls(tenderlab, source_dir, work):
    # The terms, not the calendar, keep bidders away: round 3's terms in round 1 draw bids in
    # round 1; round 1's terms in round 3 draw none in round 3.
    base = load(source_dir)
    call = base["calls"][0]
    round3_changes = call["procedure"]["rounds"][1]["terms"]  # round 3 changes these terms
    early = copy.deepcopy(base)
    early["calls"][0]["terms"].update(copy.deepcopy(round3_changes))
    late = copy.deepcopy(base)
    late["calls"][0]["procedure"]["rounds"][1]["terms"] = copy.deepcopy(call["terms"])
    replications = 5
    early_counts = distribution(tenderlab, write(work, "early", early, source_dir), work, "early",
                                replications)
    late_counts = distribution(tenderlab, write(work, "late", late, source_dir), work, "late",
                               replications)
    print("round-3 terms in round 1:", dict(early_counts))
    print("round-1 terms in round 3:", dict(late_counts))
    for (bids, _), n in early_counts.items():
        if bids[0] < 1:
            fail(f"round 3's terms in round 1 drew no bid in {n} replications")
    for (bids, _), n in late_counts.items():
        if len(bids) >= 3 and bids[2] != 0:
            fail(f"round 1's terms in round 3 drew {bids[2]} bids in {n} replications")


def check_half_capital(tenderlab, source_dir, work):
    # Halving Samsung SDS's capital and doubling its commitment share keeps what it can commit
    # and only moves it down the capital ranking, which used to decide who formed a team first.
    # Who bids must not move with it: round 3 draws what the unchanged scenario draws.
    base = load(source_dir)
    variant = copy.deepcopy(base)
    for agent in variant["agents"]:
        if agent["id"] == "samsung-sds":
            agent["capital_bn_krw"] = agent["capital_bn_krw"] / 2
            agent["max_commitment"] = agent.get("max_commitment", 0.5) * 2
    replications = 5
    reference = distribution(tenderlab, write(work, "base", base, source_dir), work, "base",
                             replications)
    halved = distribution(tenderlab, write(work, "half", variant, source_dir), work, "half",
                          replications)
    print("unchanged:", dict(reference))
    print("samsung-sds at half capital, same commitment limit:", dict(halved))
    if halved != reference:
        fail(f"the half-capital variant changes the outcome: {dict(halved)} != {dict(reference)}")


def attribution_gaps(out):
    """Per SPC bid_decision: (agent, round, sum of effects - (value - neutral value), clauses)."""
    gaps = []
    with open(os.path.join(out, "events.jsonl"), encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            if event["type"] != "bid_decision" or "effects" not in event:
                continue
            for key in ("value_bn_krw", "neutral_value_bn_krw", "attribution"):
                if key not in event:
                    fail(f"{event['agent']} round {event['round']}: bid_decision without {key}")
            total = sum(e["delta_bn_krw"] for e in event["effects"])
            gap = total - (event["value_bn_krw"] - event["neutral_value_bn_krw"])
            gaps.append((event["agent"], event["round"], gap, event))
    return gaps


def check_attribution(tenderlab, source_dir, work):
    """Every bid_decision's Shapley effects add up to its value less its neutral value, within
    the rounding of the logged amounts (0.0005 bn KRW each), exact and sampled."""
    scenario = load(source_dir)
    sampled = copy.deepcopy(scenario)
    sampled.setdefault("valuation", {})["shapley_exact_clauses"] = 3
    sampled["valuation"]["shapley_permutations"] = 50
    for name, variant, method in (("exact", scenario, "exact"), ("sampled", sampled, "sampled")):
        out = os.path.join(work, name)
        outcome(tenderlab, write(work, name, variant, source_dir), 0, out)
        gaps = attribution_gaps(out)
        if not gaps:
            fail(f"{name}: no bid_decision with effects")
        for agent, round_, gap, event in gaps:
            active = sum(1 for e in event["effects"] if e["delta_bn_krw"] != 0)
            tolerance = 0.0005 * (len(event["effects"]) + 2) + 1e-9
            if abs(gap) > tolerance:
                fail(f"{name}: {agent} round {round_}: effects add up to {gap:+.4f} bn KRW more "
                     f"than value - neutral value (tolerance {tolerance})")
            expected = method if active > 3 or method == "exact" else event["attribution"]
            if event["attribution"] != expected:
                fail(f"{name}: {agent} round {round_}: attribution {event['attribution']}, "
                     f"expected {expected}")
            if active >= 2 and "interaction" not in event:
                fail(f"{name}: {agent} round {round_}: {active} clauses but no interaction")
        print(f"{name}: {len(gaps)} bid decisions, largest gap "
              f"{max(abs(g[2]) for g in gaps):.4f} bn KRW")


CHECKS = {
    "attribution": check_attribution,
    "permutations": check_permutations,
    "history": check_history,
    "negative-controls": check_negative_controls,
    "half-capital": check_half_capital,
    "sweep": check_sweep,
}

if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in CHECKS:
        fail("usage: entry_checks.py " + "|".join(CHECKS) + " TENDERLAB SOURCE_DIR")
    with tempfile.TemporaryDirectory() as work:
        CHECKS[sys.argv[1]](sys.argv[2], sys.argv[3], work)
    print("ok: " + sys.argv[1])
