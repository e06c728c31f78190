// The issuer's budget in whole runs: the golden test's small world (tests/golden/small.json) with
// a budget for the government. A tight budget passes over the procurement bid it cannot pay,
// fails the SPC call whose only bid needs more public money than is left, and stops the adaptive
// revision rule; no year ever commits more than its budget.
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "run_in_child.hpp"
#include "tenderlab/engine/events.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

using namespace tenderlab;
using tenderlab::test::parse;
using tenderlab::test::run_in_child;

namespace {

/// tests/golden/small.json: an SPC call that fails twice and is awarded after a new call with
/// changed terms (signed in October 2025), and a procurement of two lots, each won by one of the
/// two bids (signed in May 2025).
nlohmann::json small_world() {
  return nlohmann::json::parse(R"({
    "format": "tenderlab-scenario/1",
    "name": "budget-small",
    "start_date": "2025-01-01",
    "horizon": "2027-12-31",
    "seed": 7,
    "market": { "demand_growth": 0.15, "demand_volatility": 0.3, "utilization_base": 0.6,
                "gpu_hour_price_krw": 6000, "price_decline": 0.15, "belief_noise": 0.04 },
    "valuation": { "paths": 64 },
    "agents": [
      { "id": "gov", "kind": "government", "name": "Ministry" },
      { "id": "cloud-a", "kind": "cloud_provider", "capital_bn_krw": 3000, "max_commitment": 0.03,
        "bid_cost_bn_krw": 3, "strategic_value_bn_krw": 250,
        "capabilities": { "cloud_operations": 0.8, "sites_power": 0.5 } },
      { "id": "telco-b", "kind": "telco", "capital_bn_krw": 2000, "max_commitment": 0.03,
        "bid_cost_bn_krw": 3, "strategic_value_bn_krw": 60,
        "capabilities": { "cloud_operations": 0.5, "sites_power": 0.8 } },
      { "id": "builder-c", "kind": "builder", "capital_bn_krw": 1000, "max_commitment": 0.03,
        "strategic_value_bn_krw": 40, "capabilities": { "construction": 0.9 } },
      { "id": "uni-d", "kind": "university", "capital_bn_krw": 10,
        "capabilities": { "academia": 0.9 } }
    ],
    "relationships": [
      { "from": "cloud-a", "to": "builder-c", "strength": 1.0 },
      { "from": "cloud-a", "to": "telco-b", "strength": 0.5 },
      { "from": "telco-b", "to": "uni-d", "strength": 0.5 }
    ],
    "calls": [
      { "id": "spc", "kind": "spc_partner", "issuer": "gov",
        "schedule": { "announce": "2025-02-01", "bid_deadline": "2025-04-30", "evaluation_days": 20 },
        "object": { "gpus": 5000, "gpu_price_bn_krw": 0.1, "years": 6, "build_years": 1 },
        "terms": { "public_equity_share": 0.51, "paid_in_capital_bn_krw": 150,
                   "buy_back": { "enabled": true, "return_rate": 0.05 }, "loss_bearing": true,
                   "domestic_chip_share": 0.5, "site": "non_capital", "tax_credit": 0.1,
                   "policy_loan": { "share_of_capex": 0.5, "rate": 0.035, "years": 10 } },
        "procedure": { "min_valid_bids": 2, "rounds": [
          { "kind": "reannounce", "min_valid_bids": 1,
            "schedule": { "announce": "2025-05-05", "bid_deadline": "2025-05-20" } },
          { "kind": "new_call", "min_valid_bids": 1,
            "schedule": { "announce": "2025-07-01", "bid_deadline": "2025-08-15", "evaluation_days": 45 },
            "terms": { "public_equity_share": 0.3, "buy_back": { "enabled": false },
                       "loss_bearing": false, "domestic_chip_share": 0, "tax_credit": 0.25 } } ] } },
      { "id": "gpu-lot", "kind": "procurement", "issuer": "gov", "winners": 2,
        "schedule": { "announce": "2025-03-01", "bid_deadline": "2025-04-15", "evaluation_days": 15 },
        "object": { "gpus": 1000, "gpu_price_bn_krw": 0.1, "years": 5, "build_years": 0 },
        "terms": { "ceiling_price_bn_krw": 115 },
        "evaluation": { "technical_weight": 0.3, "price_weight": 0.7 },
        "procedure": { "min_valid_bids": 1 } }
    ],
    "events": [
      { "date": "2025-06-01", "kind": "demand", "multiplier": 1.1,
        "description": "cheaper models multiply demand" }
    ]
  })");
}

std::vector<Event> run(const nlohmann::json& document) {
  const Scenario scenario = scenario_from_json(document, "budget-small.json");
  std::vector<Event> log = parse(run_in_child(scenario));
  REQUIRE(log.back().type == "simulation_ended");
  for (const auto& event : log)
    check_known_event(event);
  return log;
}

template <class E>
std::vector<E> all_of(const std::vector<Event>& log) {
  std::vector<E> out;
  for (const auto& event : log)
    if (event.type == E::type) out.push_back(decode_event<E>(event));
  return out;
}

/// Public money signed per fiscal year (the year of the contract_signed date).
std::map<int, double> signed_by_year(const std::vector<Event>& log) {
  std::map<int, double> out;
  for (const auto& event : log)
    if (event.type == events::ContractSigned::type)
      out[std::stoi(event.date.substr(0, 4))] +=
          decode_event<events::ContractSigned>(event).public_money_bn_krw;
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string money_text(double bn_krw) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.3f", bn_krw);
  return buffer;
}

}  // namespace

TEST_CASE("a tight budget passes over the lot it cannot pay and fails the call it cannot pay") {
  // Without a budget: both procurement lots and the SPC contract are signed, all in 2025.
  const std::vector<Event> free_log = run(small_world());
  std::vector<events::ContractSigned> lots;
  double spc_money = 0;
  for (const auto& contract : all_of<events::ContractSigned>(free_log)) {
    if (contract.call == "gpu-lot") lots.push_back(contract);
    if (contract.call == "spc") spc_money = contract.public_money_bn_krw;
  }
  REQUIRE(lots.size() == 2);
  REQUIRE(spc_money > 0);
  const std::map<int, double> free_by_year = signed_by_year(free_log);
  REQUIRE(free_by_year.size() == 1);
  CHECK(free_by_year.at(2025) ==
        Approx(lots[0].public_money_bn_krw + lots[1].public_money_bn_krw + spc_money));

  // A 2025 budget that pays the first lot and half the second.
  const double first = lots[0].public_money_bn_krw;
  const double second = lots[1].public_money_bn_krw;
  const double budget = first + second / 2;
  REQUIRE(spc_money > second / 2 + 1);  // what is left cannot pay the SPC contract either
  nlohmann::json document = small_world();
  document["agents"][0]["budget_bn_krw_by_year"] = {{"2025", budget}};
  const std::vector<Event> log = run(document);

  // The procurement: the first lot fits; the second bid does not fit what is left, and no other
  // valid bid is there for the second lot.
  const auto awarded = all_of<events::RoundAwarded>(log);
  REQUIRE(awarded.size() == 1);
  CHECK(awarded[0].call == "gpu-lot");
  CHECK(awarded[0].winners == std::vector<std::string>{lots[0].lead});
  CHECK(contains(awarded[0].reason, "; " + lots[1].lead + " passed over: " + money_text(second) +
                                        " bn KRW of public money, "));
  CHECK(contains(awarded[0].reason, " bn KRW left of gov's 2025 budget"));

  // The SPC call's one bid in round 3 needs more than is left: the round fails on the budget and
  // the procedure has nothing after it.
  std::vector<events::RoundFailed> spc_failures;
  for (const auto& failed : all_of<events::RoundFailed>(log))
    if (failed.call == "spc") spc_failures.push_back(failed);
  REQUIRE(spc_failures.size() == 3);
  const events::RoundFailed& third = spc_failures.back();
  CHECK(third.round == 3);
  CHECK(third.valid_bids == 1);
  CHECK(contains(third.reason, "1 valid bid, none within gov's 2025 budget: "));
  CHECK(contains(third.reason, "bn KRW left, the least public money a valid bid needs is " +
                                   money_text(spc_money) + " bn KRW"));
  const auto closed = all_of<events::CallClosed>(log);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].call == "spc");
  CHECK_FALSE(closed[0].awarded);

  const auto contracts = all_of<events::ContractSigned>(log);
  REQUIRE(contracts.size() == 1);
  CHECK(contracts[0].lead == lots[0].lead);
  CHECK(contracts[0].gpus == lots[0].gpus);  // its lot: the other lot stays unbought
  CHECK(signed_by_year(log).at(2025) <= budget + 1e-6);
}

TEST_CASE("a budget missing the signing year makes every award in that year impossible") {
  nlohmann::json document = small_world();
  document["agents"][0]["budget_bn_krw_by_year"] = {{"2026", 5000}};  // nothing for 2025
  const std::vector<Event> log = run(document);
  CHECK(all_of<events::ContractSigned>(log).empty());
  CHECK(all_of<events::RoundAwarded>(log).empty());
  bool procurement_failed = false;
  for (const auto& failed : all_of<events::RoundFailed>(log))
    if (failed.call == "gpu-lot") {
      procurement_failed = true;
      CHECK(contains(failed.reason, "none within gov's 2025 budget: 0.000 bn KRW left"));
    }
  CHECK(procurement_failed);
}

namespace {

/// The SPC call alone, with the adaptive rule instead of the scripted rounds.
nlohmann::json adaptive_world(double budget_2025) {
  nlohmann::json document = small_world();
  document["calls"].erase(1);
  nlohmann::json& call = document["calls"][0];
  call["procedure"].erase("rounds");
  call["adaptive_revision"] = {{"max_rounds", 4}, {"gap_days", 60}, {"bid_window_days", 30}};
  document["agents"][0]["budget_bn_krw_by_year"] = {{"2025", budget_2025}, {"2026", 0}};
  return document;
}

}  // namespace

TEST_CASE("the adaptive rule revises within the budget and stops when the budget binds") {
  SECTION("a budget with room: the rule revises, and every revision fits it") {
    const std::vector<Event> log = run(adaptive_world(1000));
    const auto revisions = all_of<events::TermsRevised>(log);
    REQUIRE_FALSE(revisions.empty());
    for (const auto& revision : revisions)
      CHECK(revision.public_money_bn_krw <= 1000);
    for (const auto& [year, money] : signed_by_year(log))
      CHECK(money <= (year == 2025 ? 1000 : 0));
  }
  SECTION("a budget below what the terms already commit: no step fits and the call closes") {
    const std::vector<Event> log = run(adaptive_world(50));
    CHECK(all_of<events::TermsRevised>(log).empty());
    const auto closed = all_of<events::CallClosed>(log);
    REQUIRE(closed.size() == 1);
    CHECK(closed[0].reason ==
          "no revision possible within gov's remaining 2025 budget (50.00 bn KRW)");
  }
}

namespace {

/// The small world with the SPC's equity paid in over three years, in every round.
nlohmann::json paid_in_over_three_years() {
  nlohmann::json document = small_world();
  nlohmann::json& spc = document["calls"][0];
  spc["terms"]["paid_in_years"] = 3;
  spc["procedure"]["rounds"][1]["terms"]["paid_in_years"] = 3;
  return document;
}

}  // namespace

TEST_CASE("on a cash basis the SPC's public equity is charged over the years it is paid in") {
  // Unconstrained: what the contracts are.
  const std::vector<Event> free_log = run(paid_in_over_three_years());
  double lots_money = 0;
  std::optional<events::ContractSigned> spc;
  for (const auto& contract : all_of<events::ContractSigned>(free_log)) {
    CHECK_FALSE(contract.budget_charge);  // logged on a cash basis only
    if (contract.call == "gpu-lot") lots_money += contract.public_money_bn_krw;
    if (contract.call == "spc") spc = contract;
  }
  REQUIRE(spc);
  REQUIRE(spc->tax_credit_bn_krw > 1);
  const double part = spc->public_equity_bn_krw / 3;
  // Each year exactly what the cash basis charges it (plus the logged amounts' rounding).
  const nlohmann::json budgets = {
      {"2025", lots_money + part + 0.01}, {"2026", part + 0.01}, {"2027", part + 0.01}};

  SECTION("cash: the procurement in 2025, a third of the equity in each of 2025-2027") {
    nlohmann::json document = paid_in_over_three_years();
    document["agents"][0]["budget_bn_krw_by_year"] = budgets;
    document["agents"][0]["budget_basis"] = "cash";
    const std::vector<Event> log = run(document);
    std::map<int, double> charged;
    int spc_contracts = 0;
    for (const auto& contract : all_of<events::ContractSigned>(log)) {
      REQUIRE(contract.budget_charge);
      for (const auto& year : *contract.budget_charge)
        charged[year.year] += year.bn_krw;
      if (contract.call != "spc") continue;
      ++spc_contracts;
      CHECK(contract.public_money_bn_krw == spc->public_money_bn_krw);  // the same contract
      REQUIRE(contract.budget_charge->size() == 3);
      CHECK(contract.budget_charge->front().year == 2025);
      CHECK(contract.budget_charge->back().year == 2027);
      CHECK(contract.budget_charge->back().bn_krw == Approx(part).margin(1e-3));
    }
    CHECK(spc_contracts == 1);
    for (const auto& [year, money] : charged)
      CHECK(money <= budgets.at(std::to_string(year)).get<double>() + 1e-6);
  }
  SECTION("commitment: the same budgets cannot pay the SPC's equity and credit in 2025") {
    nlohmann::json document = paid_in_over_three_years();
    document["agents"][0]["budget_bn_krw_by_year"] = budgets;
    const std::vector<Event> log = run(document);
    for (const auto& contract : all_of<events::ContractSigned>(log))
      CHECK(contract.call == "gpu-lot");
  }
  SECTION("cash, without a budget for 2027: the SPC round fails naming 2027") {
    nlohmann::json document = paid_in_over_three_years();
    nlohmann::json short_budgets = budgets;
    short_budgets.erase("2027");
    document["agents"][0]["budget_bn_krw_by_year"] = short_budgets;
    document["agents"][0]["budget_basis"] = "cash";
    const std::vector<Event> log = run(document);
    bool failed_on_2027 = false;
    for (const auto& failed : all_of<events::RoundFailed>(log))
      if (failed.call == "spc" &&
          contains(failed.reason, "none within gov's 2027 budget: 0.000 bn KRW left"))
        failed_on_2027 = true;
    CHECK(failed_on_2027);
    for (const auto& contract : all_of<events::ContractSigned>(log))
      CHECK(contract.call == "gpu-lot");
  }
}

TEST_CASE("suppliers who know the budget bid within it or stay out, and none is passed over") {
  // The budget of the first test: the first lot and half the second.
  const std::vector<Event> free_log = run(small_world());
  std::vector<double> lot_prices;
  for (const auto& contract : all_of<events::ContractSigned>(free_log))
    if (contract.call == "gpu-lot") lot_prices.push_back(contract.public_money_bn_krw);
  REQUIRE(lot_prices.size() == 2);
  for (const double budget : {lot_prices[0] + lot_prices[1] / 2, 200.0}) {
    nlohmann::json document = small_world();
    document["agents"][0]["budget_bn_krw_by_year"] = {{"2025", budget}};
    document["agents"][0]["budget_disclosed"] = true;
    const std::vector<Event> log = run(document);
    for (const auto& awarded : all_of<events::RoundAwarded>(log))
      CHECK_FALSE(contains(awarded.reason, "passed over"));
    double spent = 0;
    for (const auto& contract : all_of<events::ContractSigned>(log))
      spent += contract.public_money_bn_krw;
    CHECK(spent <= budget + 1e-6);
    // The suppliers' decisions name the budget when it is below the ceiling (115 bn KRW).
    int naming_budget = 0;
    for (const auto& decision : all_of<events::BidDecision>(log))
      if (decision.call == "gpu-lot" && contains(decision.reason, "left of the issuer's budget"))
        ++naming_budget;
    if (budget < 115) {
      CHECK(naming_budget > 0);
      for (const auto& contract : all_of<events::ContractSigned>(log))
        CHECK(contract.call != "gpu-lot");
    } else {
      CHECK(naming_budget == 0);
    }
  }
}
