#!/usr/bin/env python3
"""Writes a synthetic scenario with N private agents, for the scale benchmark (bench/scale.sh).

The scenario keeps the structure of the base (by default the flagship, scenarios/naicc-2025.json):
its institutions (government, policy bank, grid operator, GPU vendor), its calls, market outlook,
events, grid and vendors (sites lose their owners, who were template agents). The private
agents are the flagship's private agents used as templates in turn (so the mix of kinds is the
flagship's), each with its numbers varied by up to +-30 % (a fleet's demand too) and its capabilities by up to +-0.15;
every agent ties itself to three others drawn at random, so an agent has six ties on average
whatever N is (a lead's partner search, and so the work per agent, does not grow with the
market). Everything is drawn from the seed, so the same N and seed give the same file, byte for
byte.

Usage: bench/make_scenario.py N [--seed S] [--paths P] [--base FILE] [--out FILE]
"""
import argparse
import json
import pathlib
import random
import sys

# Numeric agent parameters and the ranges the scenario format accepts (docs/scenario-format.md).
AGENT_NUMBERS = {
    "capital_bn_krw": (0.0, None),
    "risk_aversion": (0.0, 100.0),
    "bid_cost_bn_krw": (0.0, None),
    "strategic_value_bn_krw": (None, None),
    "max_commitment": (0.0, 1.0),
    "control_aversion": (0.0, 1.0),
    "npu_penalty": (0.0, 1.0),
    "remote_demand_discount": (0.0, 1.0),
}
# Kinds kept as they are (one of each in the base): the others are templates of private agents.
INSTITUTIONS = ("government", "policy_bank", "grid_operator", "gpu_vendor")
TIES_PER_AGENT = 3  # ties each agent starts: the flagship's 15 private agents have 17 in all


def clamp(value, low, high):
    if low is not None:
        value = max(low, value)
    if high is not None:
        value = min(high, value)
    return value


def vary_agent(template, index, rng):
    agent = {"id": f"{template['id']}-{index:05d}", "kind": template["kind"]}
    agent["name"] = f"{template['name']} #{index}"
    for name, (low, high) in AGENT_NUMBERS.items():
        if name in template:
            agent[name] = round(clamp(template[name] * rng.uniform(0.7, 1.3), low, high), 6)
    if "gpus" in template:
        agent["gpus"] = int(template["gpus"] * rng.uniform(0.7, 1.3))
    if "fleet" in template:
        agent["fleet"] = dict(template["fleet"])
        agent["fleet"]["demand_gpu_hours_per_year"] = round(
            template["fleet"]["demand_gpu_hours_per_year"] * rng.uniform(0.7, 1.3), 3)
    capabilities = {}
    for name, value in template.get("capabilities", {}).items():
        capabilities[name] = round(clamp(value + rng.uniform(-0.15, 0.15), 0.0, 1.0), 6)
    if capabilities:
        agent["capabilities"] = capabilities
    return agent


def make_scenario(base, private_agents, seed, paths=None):
    rng = random.Random(seed)
    templates = [a for a in base["agents"] if a["kind"] not in INSTITUTIONS]
    public = [a for a in base["agents"] if a["kind"] in INSTITUTIONS]
    agents = [vary_agent(templates[i % len(templates)], i, rng) for i in range(private_agents)]
    relationships = []
    for i in range(private_agents):
        others = min(private_agents - 1, TIES_PER_AGENT)
        for j in sorted(rng.sample(range(private_agents - 1), others)):
            j += j >= i  # any agent but i itself
            relationships.append({"from": agents[i]["id"], "to": agents[j]["id"],
                                  "strength": round(rng.uniform(0.2, 1.0), 3)})
    scenario = dict(base)
    scenario["$schema"] = base.get("$schema", "")
    scenario["name"] = f"scale-{private_agents}"
    scenario["description"] = (f"Synthetic scale benchmark: {private_agents} private agents "
                               f"varied from the flagship's (generator seed {seed}).")
    scenario["agents"] = public + agents
    scenario["relationships"] = relationships
    scenario.pop("history", None)  # calibration targets of the flagship, not of this market
    # Sites keep their nodes; their owners were template agents, so every site is open to all.
    if "sites" in base:
        scenario["sites"] = [{k: v for k, v in site.items() if k != "owner"}
                             for site in base["sites"]]
    if paths is not None:
        scenario["valuation"] = dict(base.get("valuation", {}), paths=paths)
    return scenario


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("agents", type=int, help="number of private agents (>= 1)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--paths", type=int,
                        help="Monte Carlo paths per valuation (default: the base scenario's)")
    root = pathlib.Path(__file__).resolve().parent.parent
    parser.add_argument("--base", default=str(root / "scenarios" / "naicc-2025.json"),
                        help="scenario whose structure is kept (default: the flagship)")
    parser.add_argument("--out", help="output file (default: standard output)")
    args = parser.parse_args()
    if args.agents < 1:
        parser.error("the number of agents must be at least 1")
    if args.paths is not None and args.paths < 1:
        parser.error("the number of paths must be at least 1")
    with open(args.base, encoding="utf-8") as f:
        base = json.load(f)
    text = json.dumps(make_scenario(base, args.agents, args.seed, args.paths), indent=1) + "\n"
    if args.out:
        pathlib.Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
