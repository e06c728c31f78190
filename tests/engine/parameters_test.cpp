// The parameter tables against the loader: every table is reachable, every numeric key is read
// through its table (range and type checked at its JSON Pointer), the tables' defaults are the
// structs' defaults, unknown keys are reported with a suggestion, and repeated keys are refused.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tenderlab/engine/agent_kinds.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/parameters.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

using namespace tenderlab;
using Catch::Matchers::Contains;

namespace {

/// A scenario in which every object of every table appears once, at the first place its
/// table's `at` names (with * as 0).
nlohmann::json every_object() {
  return nlohmann::json::parse(R"({
    "format": "tenderlab-scenario/1",
    "name": "every-object",
    "start_date": "2025-01-01",
    "horizon": "2030-12-31",
    "market": {},
    "valuation": {},
    "assumptions": {},
    "agents": [
      {"id": "csp", "kind": "cloud_provider", "capabilities": {}, "beliefs": {},
       "fleet": {"demand_gpu_hours_per_year": 1000}},
      {"id": "gov", "kind": "government"},
      {"id": "grid-op", "kind": "grid_operator"},
      {"id": "vendor", "kind": "gpu_vendor"},
      {"id": "uni", "kind": "university"}
    ],
    "relationships": [{"from": "gov", "to": "csp"}],
    "calls": [{
      "id": "call", "kind": "spc_partner", "issuer": "gov",
      "schedule": {"announce": "2025-02-01", "bid_deadline": "2025-03-01"},
      "object": {"gpus": 1000},
      "terms": {"buy_back": {}, "policy_loan": {}},
      "eligibility": {},
      "evaluation": {"technical_criteria": {}},
      "procedure": {"rounds": [{"kind": "new_call",
                                "schedule": {"announce": "2025-04-01", "bid_deadline": "2025-05-01"},
                                "terms": {}}]},
      "adaptive_revision": {"enabled": false}
    }],
    "events": [{"date": "2025-06-01", "kind": "note"}],
    "history": [{"call": "call", "round": 1, "outcome": "failed"}],
    "grid": {"operator": "grid-op",
             "nodes": [{"id": "a", "region": "r"}, {"id": "b", "region": "r"}],
             "lines": [{"from": "a", "to": "b", "capacity_mw": 10}],
             "upgrades": [{"date": "2026-01-01", "node": "a", "to": "b", "mw": 5}]},
    "sites": [{"id": "s", "node": "a", "owner": "csp"}],
    "vendors": [{"agent": "vendor", "quarterly_capacity": 100, "buyer_cap_per_quarter": 50,
                 "generations": [{"id": "g1", "available": "2024-01-01",
                                  "launch_price_bn_krw": 0.05, "performance": 1}]}],
    "programme": {"targets": [{"id": "t", "gpus": 10, "by": "2030-12-31"}],
                  "fleet_instruments": {}},
    "compute": {"user_groups": [{"id": "lab", "kind": "university", "jobs_per_month": 1}],
                "allocation_calls": [{"id": "alloc", "issuer": "gov", "first": "2026-01-01",
                                      "shares": [{"group": "lab", "share": 1}]}]}
  })");
}

/// The JSON Pointer of the first place a table's objects appear.
std::string first_place(const ParamTable& table) {
  std::string pointer = table.at.front();
  for (std::size_t star; (star = pointer.find('*')) != std::string::npos;)
    pointer.replace(star, 1, "0");
  return pointer;
}

std::vector<InputProblem> problems_of(const nlohmann::json& document) {
  try {
    scenario_from_json(document, "test.json");
  } catch (const InputError& error) {
    return error.problems();
  }
  return {};
}

}  // namespace

TEST_CASE("parameters: every table is reachable from the scenario and every reference resolves") {
  std::set<std::string> referenced = {"scenario"};
  for (const ParamTable* table : parameter_tables())
    for (const auto& spec : table->params)
      if (spec.type == ParamType::object || spec.type == ParamType::array) {
        INFO(table->name << "/" << spec.key);
        CHECK_NOTHROW(parameter_table(spec.ref));
        referenced.insert(spec.ref);
      }
  for (const ParamTable* table : parameter_tables()) {
    INFO(table->name);
    CHECK(referenced.count(table->name) == 1);
    CHECK_FALSE(table->at.empty());
    CHECK_FALSE(table->description.empty());
  }
  CHECK(&parameter_table("agent") == &agent_parameter_table());
}

TEST_CASE(
    "parameters: every row has a meaning, every default lies in its range, every "
    "assumption a plausible range inside it") {
  for (const ParamTable* table : parameter_tables())
    for (const auto& spec : table->params) {
      INFO(table->name << "/" << spec.key);
      CHECK_FALSE(spec.description.empty());
      if (spec.type != ParamType::any && spec.type != ParamType::format)
        CHECK_FALSE(spec.member.empty());
      if (spec.scalar() && !spec.required) {
        CHECK(spec.default_value >= spec.min);
        CHECK(spec.default_value <= spec.max);
      }
      if (spec.provenance == Provenance::assumed && !std::isnan(spec.plausible_min)) {
        CHECK(spec.plausible_min <= spec.plausible_max);
        CHECK(spec.plausible_min >= spec.min);
        CHECK(spec.plausible_max <= spec.max);
      }
      if (spec.provenance == Provenance::sourced) CHECK_FALSE(spec.basis.empty());
    }
}

TEST_CASE("parameters: the scenario with every object loads") {
  CHECK(problems_of(every_object()).empty());
}

TEST_CASE("parameters: every numeric key is range-checked by the loader at its JSON Pointer") {
  // For each bounded number or integer of each table: one past a bound is a problem exactly
  // there, and the bound itself is accepted. So the table's range is the range the loader uses.
  int checked = 0;
  for (const ParamTable* table : parameter_tables()) {
    for (const auto& spec : table->params) {
      if (spec.type != ParamType::number && spec.type != ParamType::integer) continue;
      if (table->name == "scenario" && spec.key == "seed") continue;  // 2^63 - 1: no "one past"
      const std::string pointer = first_place(*table) + "/" + spec.key;
      INFO(pointer);
      for (double bound : {spec.min, spec.max}) {
        if (!std::isfinite(bound)) continue;
        const double outside = bound == spec.min ? bound - 1 : bound + 1;
        nlohmann::json document = every_object();
        document[nlohmann::json::json_pointer(pointer)] = outside;
        const auto problems = problems_of(document);
        REQUIRE(problems.size() >= 1);
        CHECK(problems.front().pointer == pointer);
        document[nlohmann::json::json_pointer(pointer)] = bound;
        // A bound may break a rule between keys (weights that add up to 1, jobs that fit a pod,
        // a first round that needs more bids than...), never the key's own check.
        for (const auto& problem : problems_of(document))
          CHECK((problem.pointer != pointer || problem.expected == "weights that add up to 1" ||
                 problem.expected.rfind("at most /compute/pod_gpus", 0) == 0));
        ++checked;
      }
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("parameters: every boolean key refuses a number at its JSON Pointer") {
  for (const ParamTable* table : parameter_tables())
    for (const auto& spec : table->params) {
      if (spec.type != ParamType::boolean) continue;
      const std::string pointer = first_place(*table) + "/" + spec.key;
      INFO(pointer);
      nlohmann::json document = every_object();
      document[nlohmann::json::json_pointer(pointer)] = 1;
      const auto problems = problems_of(document);
      REQUIRE(problems.size() >= 1);
      CHECK(problems.front().pointer == pointer);
      CHECK(problems.front().expected == "true or false");
    }
}

TEST_CASE("parameters: each object accepts exactly its table's keys, and suggests the nearest") {
  for (const ParamTable* table : parameter_tables()) {
    const std::string place = first_place(*table);
    const ParamSpec& first = table->params.front();
    const std::string misspelt = first.key + "x";
    nlohmann::json document = every_object();
    document[nlohmann::json::json_pointer(place + "/" + misspelt)] = 1;
    INFO(place << "/" << misspelt);
    const auto problems = problems_of(document);
    REQUIRE(problems.size() == 1);
    CHECK(problems.front().pointer == place + "/" + misspelt);
    CHECK_THAT(problems.front().found, Contains("did you mean \"" + first.key + "\"?"));
    // The message lists every key of the table as known.
    for (const auto& spec : table->params)
      CHECK_THAT(problems.front().expected, Contains(spec.key));
  }
}

TEST_CASE("parameters: the tables' defaults are the defaults of the structures") {
  nlohmann::json document = every_object();
  document["calls"][0]["adaptive_revision"]["enabled"] = true;
  document["calls"][0]["procedure"].erase("rounds");
  const Scenario scenario = scenario_from_json(document, "test.json");
  CHECK(scenario.market == Beliefs{});
  CHECK(scenario.valuation == ValuationSettings{});
  CHECK(scenario.assumptions == ProjectAssumptions{});
  CHECK(scenario.agents[0].capabilities == Capabilities{});
  CHECK(scenario.agents[0].beliefs == Beliefs{});
  const AgentSpec fresh;
  CHECK(scenario.agents[0].capital_bn_krw == fresh.capital_bn_krw);
  CHECK(scenario.agents[0].risk_aversion == fresh.risk_aversion);
  CHECK(scenario.agents[0].bid_cost_bn_krw == fresh.bid_cost_bn_krw);
  CHECK(scenario.agents[0].max_commitment == fresh.max_commitment);
  CHECK(scenario.agents[0].npu_penalty == fresh.npu_penalty);
  CHECK(scenario.agents[0].remote_demand_discount == fresh.remote_demand_discount);
  const CallSpec& call = scenario.calls[0];
  CallObject object;
  object.gpus = 1000;
  CHECK(call.object == object);
  CHECK(call.terms == Terms{});
  CHECK(call.eligibility == Eligibility{});
  CHECK(call.evaluation == Evaluation{});
  CHECK(call.procedure.min_valid_bids == Procedure{}.min_valid_bids);
  CHECK(call.procedure.contract_days == Procedure{}.contract_days);
  AdaptiveRevision adaptive;
  adaptive.enabled = true;  // writing the object switches the rule on
  CHECK(call.adaptive == adaptive);
  CHECK(call.schedule.evaluation_days == Schedule{}.evaluation_days);
  CHECK(scenario.relationships[0].strength == Relationship{}.strength);
  CHECK(scenario.events[0].multiplier == ExogenousEvent{}.multiplier);
}

TEST_CASE("parameters: a scenario sets the project assumptions and the revision steps") {
  nlohmann::json document = every_object();
  document["assumptions"] = {
      {"delay_probability", 0.6}, {"debt_years", 15}, {"lead_equity_weight", 3.0}};
  document["calls"][0]["evaluation"]["technical_criteria"] = {{"chips", 0.4}};
  document["calls"][0]["procedure"]["contract_days"] = 60;
  document["calls"][0]["adaptive_revision"] = {{"enabled", false}, {"equity_step", 0.2}};
  const Scenario scenario = scenario_from_json(document, "test.json");
  CHECK(scenario.assumptions.delay_probability == 0.6);
  CHECK(scenario.assumptions.debt_years == 15);
  CHECK(scenario.assumptions.lead_equity_weight == 3.0);
  CHECK(scenario.assumptions.om_share_of_capex == ProjectAssumptions{}.om_share_of_capex);
  CHECK(scenario.calls[0].evaluation.criteria.chips == 0.4);
  CHECK(scenario.calls[0].evaluation.criteria.cloud_operations == 0.30);
  CHECK(scenario.calls[0].procedure.contract_days == 60);
  CHECK(scenario.calls[0].adaptive.equity_step == 0.2);
}

TEST_CASE("parameters: the generated schema has one definition per table, each key once") {
  const auto schema = scenario_schema();
  for (const ParamTable* table : parameter_tables()) {
    const auto& object = table->name == "scenario" ? schema : schema.at("$defs").at(table->name);
    INFO(table->name);
    CHECK(object.at("additionalProperties") == false);
    // The table's keys plus "$comment", accepted in every object, and at the top level a
    // variant's "extends" and "set", which the loader resolves before it reads the tables.
    const std::size_t variant_keys = table->name == "scenario" ? 2 : 0;
    CHECK(object.at("properties").size() == table->params.size() + 1 + variant_keys);
    if (variant_keys > 0) {
      CHECK(object.at("properties").contains("extends"));
      CHECK(object.at("properties").contains("set"));
    }
    for (const auto& spec : table->params) {
      const auto& property = object.at("properties").at(spec.key);
      CHECK_THAT(property.at("description").get<std::string>(), Contains(spec.description));
      if (spec.type == ParamType::number && std::isfinite(spec.default_value))
        CHECK(property.at("default").get<double>() == spec.default_value);
    }
  }
}

TEST_CASE(
    "parameters: the agent kinds a scenario accepts are the registered ones, in the loader, the "
    "schema and the listings, also for a kind registered after the tables were built") {
  auto kinds_in_schema = [] {
    const auto schema = scenario_schema();
    const auto agent = schema.at("$defs").at("agent").at("properties").at("kind").at("enum");
    const auto winner =
        schema.at("$defs").at("historical_round").at("properties").at("winner_kind").at("enum");
    CHECK(agent == winner);
    return agent.get<std::vector<std::string>>();
  };
  // The built-in kinds register at start-up (the agents library); the tables name none of them.
  CHECK(kinds_in_schema() == agent_kinds().names());
  CHECK_THAT(parameters_markdown(), Contains("`cloud_provider`"));

  nlohmann::json document = every_object();
  document["agents"][4]["kind"] = "parameters_test_kind";
  REQUIRE(problems_of(document).size() == 1);
  CHECK(problems_of(document).front().pointer == "/agents/4/kind");
  static const AgentKindRegistration registration{{.name = "parameters_test_kind",
                                                   .meaning = "a kind only this test knows",
                                                   .roles = RoleTable{},
                                                   .parameters = {&agent_parameter_table()},
                                                   .start = {}}};
  CHECK(problems_of(document).empty());
  const std::vector<std::string> kinds = kinds_in_schema();
  CHECK(kinds == agent_kinds().names());
  CHECK(std::count(kinds.begin(), kinds.end(), "parameters_test_kind") == 1);
  CHECK_THAT(parameters_markdown(), Contains("`parameters_test_kind`"));
  bool listed = false;
  for (const auto& table : parameters_json())
    if (table.at("name") == "agent")
      for (const auto& param : table.at("params"))
        if (param.at("key") == "kind") {
          CHECK(param.at("type") == "agent kind");
          listed = param.at("choices").get<std::vector<std::string>>() == kinds;
        }
  CHECK(listed);
}

TEST_CASE("json reader: a key repeated in one object is refused at its JSON Pointer") {
  try {
    parse_json_text(R"({"seed": 7, "seed": 8})", "dup.json");
    FAIL("no error for a repeated key");
  } catch (const InputError& error) {
    REQUIRE(error.problems().size() == 1);
    CHECK(error.problems()[0].file == "dup.json");
    CHECK(error.problems()[0].pointer == "/seed");
    CHECK(error.problems()[0].expected == "a key used once in its object");
  }
  try {
    parse_json_text(R"({"calls": [{"id": "a"}, {"terms": {"x": 1, "y": [1, {"k": 1}], "x": 2}}],
                        "agents": [], "agents": []})",
                    "nested.json");
    FAIL("no error for repeated keys");
  } catch (const InputError& error) {
    REQUIRE(error.problems().size() == 2);
    CHECK(error.problems()[0].pointer == "/calls/1/terms/x");
    CHECK(error.problems()[1].pointer == "/agents");
  }
  // The same key in different objects, or in objects inside arrays, is no repetition.
  CHECK_NOTHROW(
      parse_json_text(R"({"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 1}, {"k": 2}]})", "fine.json"));
}
