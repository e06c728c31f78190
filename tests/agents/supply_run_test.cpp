// Whole runs with GPU vendors and private fleets: a vendor's quarterly capacity shared by its
// caps and max-min fair between fleets, lead times, export controls that switch buyers to another
// generation, and contracts whose GPUs wait for the vendor; none of it depends on the order of
// the agents in the file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "run_in_child.hpp"
#include "tenderlab/engine/event_dispatcher.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

using namespace tenderlab;
using tenderlab::test::all_of;
using tenderlab::test::parse;
using tenderlab::test::run_in_child;

namespace {

/// Two fleets whose customers want far more than they run, with capital to spare: each wants at
/// least the vendor's cap per buyer (600) every quarter. The vendor ships 1,000 a quarter.
nlohmann::json supply_scenario() {
  return nlohmann::json::parse(R"({
    "format": "tenderlab-scenario/1",
    "name": "supply-run",
    "start_date": "2025-01-01",
    "horizon": "2025-12-31",
    "seed": 5,
    "valuation": {"paths": 40},
    "agents": [
      {"id": "nvidia", "kind": "gpu_vendor"},
      {"id": "cloud-b", "kind": "cloud_provider", "capital_bn_krw": 20000, "gpus": 1000,
       "fleet": {"demand_gpu_hours_per_year": 60000000, "step_gpus": 100}},
      {"id": "telco-c", "kind": "telco", "capital_bn_krw": 20000, "gpus": 1000,
       "fleet": {"demand_gpu_hours_per_year": 60000000, "step_gpus": 100}}
    ],
    "vendors": [{"agent": "nvidia", "lead_time_days": 90, "quarterly_capacity": 1000,
                 "buyer_cap_per_quarter": 600,
                 "generations": [
                   {"id": "h100", "available": "2023-03-01", "launch_price_bn_krw": 0.06,
                    "price_decline": 0.1, "performance": 1, "kw_per_gpu": 1.3},
                   {"id": "b200", "available": "2025-01-01", "launch_price_bn_krw": 0.09,
                    "price_decline": 0.1, "performance": 2.5, "kw_per_gpu": 1.9}]}]
  })");
}

std::vector<Event> run(const nlohmann::json& document) {
  return parse(run_in_child(scenario_from_json(document, "supply-run.json")));
}

/// Each agent's supply events, in the order it saw them: what must not depend on the file's
/// order of agents (events of different agents at one instant may interleave differently).
std::map<std::string, std::vector<std::string>> per_agent(const std::vector<Event>& log) {
  std::map<std::string, std::vector<std::string>> out;
  for (const Event& e : log)
    if (e.type.rfind("fleet_", 0) == 0 || e.type.rfind("gpus_", 0) == 0)
      out[e.agent].push_back(e.date + " " + e.type + " " + e.fields.dump());
  return out;
}

}  // namespace

TEST_CASE("supply run: the vendor's capacity is shared within the caps, shipped after its lead") {
  const std::vector<Event> log = run(supply_scenario());
  // 2025-04-01: both fleets order at least the cap (600); the vendor caps each at 600 and shares
  // its 1,000 equally: 500 each, 100 each waiting; delivered 90 days later, on 2025-06-30, and
  // online at once (no grid).
  const auto decisions = all_of<events::FleetDecision>(log);
  REQUIRE(decisions.size() == 6);  // two fleets, three quarter starts (April, July, October)
  for (const auto& [event, d] : decisions) {
    INFO(event.fields.dump());
    CHECK(d.generation == "b200");  // 0.09 / 2.5 per unit of performance beats 0.06 / 1
    CHECK(d.gpus >= 600);
    CHECK(d.binding == "vendor");
    CHECK(d.gpus % 100 == 0);
  }
  const auto allocated = all_of<events::GpusAllocated>(log);
  REQUIRE(allocated.size() >= 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& [event, a] = allocated[i];
    CHECK(event.date == "2025-04-01");
    CHECK(event.time == Approx(90 * 86400.0 + 43200.0));  // noon of the quarter's first day
    CHECK(a.confirmed == 500);
    CHECK(a.outstanding == a.requested - 500);
    CHECK(a.delivery == "2025-06-30");
  }
  CHECK(allocated[0].first.agent != allocated[1].first.agent);
  // Each quarter the vendor confirms exactly its capacity: nobody asks for less than 500.
  std::map<std::string, std::int64_t> confirmed_by_date;
  for (const auto& [event, a] : allocated)
    confirmed_by_date[event.date] += a.confirmed;
  for (const auto& [date, gpus] : confirmed_by_date) {
    INFO(date);
    CHECK(gpus == 1000);
  }
  const auto online = all_of<events::FleetOnline>(log);
  REQUIRE(online.size() >= 2);
  CHECK(online[0].first.date == "2025-06-30");
  CHECK(online[0].second.gpus == 500);
  CHECK(online[0].second.mw == Approx(500 * 1.9 * 1.3 / 1000).margin(0.001));
  CHECK(online[0].second.generation == "b200");
  CHECK(!online[0].second.grid_region);  // no grid
  std::int64_t delivered = 0;
  for (const auto& [event, d] : all_of<events::GpusDelivered>(log)) {
    CHECK(d.generation == "b200");
    delivered += d.gpus;
  }
  // At the end, what the fleets ordered and the vendor has not delivered waits for it; nothing
  // waits for a building or for power (no grid).
  std::int64_t ordered = 0;
  for (const auto& [event, d] : decisions)
    ordered += d.gpus;
  const auto pipeline = all_of<events::DeliveryPipeline>(log);
  REQUIRE(pipeline.size() == 1);
  CHECK(pipeline[0].first.date == "2026-01-01");
  CHECK(pipeline[0].second.fleets.for_vendor == ordered - delivered);
  CHECK(ordered - delivered > 0);
  CHECK(pipeline[0].second.fleets.for_building + pipeline[0].second.fleets.for_power == 0);
  CHECK(pipeline[0].second.mw_waiting.empty());
}

TEST_CASE("supply run: an export control switches orders to the generation still on sale") {
  auto doc = supply_scenario();
  doc["events"] = nlohmann::json::parse(
      R"([{"date": "2025-06-15", "kind": "export_control", "vendor": "nvidia",
           "generation": "b200", "description": "b200 no longer sold"}])");
  const std::vector<Event> log = run(doc);
  for (const auto& [event, d] : all_of<events::FleetDecision>(log)) {
    INFO(event.date);
    CHECK(d.generation == (event.date < "2025-06-15" ? "b200" : "h100"));
  }
  // The orders still waiting from April are filled with h100s from July on.
  for (const auto& [event, a] : all_of<events::GpusAllocated>(log)) {
    INFO(event.date << " " << a.order);
    CHECK(a.generation == (event.date < "2025-06-15" ? "b200" : "h100"));
  }
}

TEST_CASE("supply run: a supply shock halves what the vendor ships") {
  auto doc = supply_scenario();
  doc["events"] =
      nlohmann::json::parse(R"([{"date": "2025-05-01", "kind": "supply", "multiplier": 0.5}])");
  std::map<std::string, std::int64_t> confirmed_by_date;
  for (const auto& [event, a] : all_of<events::GpusAllocated>(run(doc)))
    confirmed_by_date[event.date] += a.confirmed;
  CHECK(confirmed_by_date.at("2025-04-01") == 1000);
  CHECK(confirmed_by_date.at("2025-07-01") == 500);
  CHECK(confirmed_by_date.at("2025-10-01") == 500);
}

TEST_CASE(
    "supply run: the order of the agents and of the generations in the file changes nothing") {
  const auto doc = supply_scenario();
  auto reversed = doc;
  std::reverse(reversed["agents"].begin(), reversed["agents"].end());
  auto& generations = reversed["vendors"][0]["generations"];
  std::reverse(generations.begin(), generations.end());
  const auto story = per_agent(run(doc));
  CHECK(story.size() == 2);
  CHECK(per_agent(run(reversed)) == story);
}

TEST_CASE("supply run: a contract's GPUs come from the vendor and run once the building is ready") {
  auto doc = supply_scenario();
  doc["horizon"] = "2027-12-31";
  doc["agents"][1].erase("fleet");
  doc["agents"][2].erase("fleet");
  doc["agents"].push_back({{"id", "gov"}, {"kind", "government"}});
  doc["agents"][1]["strategic_value_bn_krw"] = 500;
  doc["agents"][1]["capabilities"] = {{"cloud_operations", 0.9}, {"construction", 0.5}};
  doc["calls"] = nlohmann::json::parse(R"([{
      "id": "spc", "kind": "spc_partner", "issuer": "gov",
      "schedule": {"announce": "2025-02-03", "bid_deadline": "2025-03-31"},
      "object": {"gpus": 800, "build_years": 1},
      "terms": {"public_equity_share": 0.3, "paid_in_capital_bn_krw": 50},
      "procedure": {"min_valid_bids": 1}}])");
  const std::vector<Event> log = run(doc);
  const auto signed_contracts = all_of<events::ContractSigned>(log);
  REQUIRE(signed_contracts.size() == 1);
  const std::string signed_on = signed_contracts[0].first.date;
  const auto allocated = all_of<events::GpusAllocated>(log);
  REQUIRE(allocated.size() == 2);  // 600 (the cap) in the first quarter after, 200 in the next
  CHECK(allocated[0].second.order == "spc/" + signed_contracts[0].second.lead);
  CHECK(allocated[0].second.confirmed == 600);
  CHECK(allocated[1].second.confirmed == 200);
  CHECK(signed_on < allocated[0].first.date);
  // The building takes a year from the signing (without a delay): the GPUs delivered by then
  // run that day, the rest when they arrive.
  const auto online = all_of<events::CapacityOnline>(log);
  REQUIRE_FALSE(online.empty());
  std::int64_t total = 0;
  for (const auto& [event, c] : online) {
    CHECK(event.date >= allocated[0].second.delivery);
    total += c.gpus;
  }
  CHECK(total == 800);
}

TEST_CASE("supply run: a site's building time delays its new load, and its PUE sizes the MW") {
  auto doc = supply_scenario();
  doc["agents"].push_back({{"id", "kepco"}, {"kind", "grid_operator"}});
  doc["grid"] = nlohmann::json::parse(R"({
    "operator": "kepco", "review_days": 30,
    "nodes": [{"id": "hub", "region": "chungcheong", "supply_mw": 1000}], "lines": []})");
  // cloud-b's site must be built (120 days) and is more efficient than its fleet's default PUE
  // (1.3); telco-c's is built, with the fleet's PUE.
  doc["sites"] = nlohmann::json::parse(R"([
    {"id": "b-site", "node": "hub", "owner": "cloud-b", "pue": 1.1, "build_days": 120},
    {"id": "c-site", "node": "hub", "owner": "telco-c"}])");
  const std::vector<Event> log = run(doc);
  std::map<std::string, std::string> first_online;
  for (const auto& [event, online] : all_of<events::FleetOnline>(log)) {
    if (first_online.count(event.agent)) continue;
    first_online[event.agent] = event.date;
    INFO(event.agent);
    const double pue = event.agent == "cloud-b" ? 1.1 : 1.3;
    CHECK(online.mw == Approx(static_cast<double>(online.gpus) * 1.9 * pue / 1000).margin(0.001));
  }
  // Ordered on 2025-04-01 and delivered after the vendor's 90 days, on 2025-06-30: telco-c's
  // GPUs run then; cloud-b's wait for the building, ready 120 days after the order.
  CHECK(first_online.at("telco-c") == "2025-06-30");
  CHECK(first_online.at("cloud-b") == "2025-07-30");
  for (const auto& [event, d] : all_of<events::FleetDecision>(log))
    CHECK(d.site == (event.agent == "cloud-b" ? "b-site" : "c-site"));
}

TEST_CASE("supply run: a fleet puts its GPUs where they are worth most, within the grid's room") {
  // cloud-b has a site in the capital region and one outside it, where power is cheaper; its
  // customers want about six times what it runs. The capital region draws its power over one line.
  const auto with_sites = [](double remote_demand_discount, double line_mw, bool reversed) {
    auto doc = supply_scenario();
    doc["agents"][1]["remote_demand_discount"] = remote_demand_discount;
    doc["agents"].push_back({{"id", "kepco"}, {"kind", "grid_operator"}});
    doc["grid"] = nlohmann::json::parse(R"({
      "operator": "kepco", "review_days": 30,
      "nodes": [{"id": "south", "region": "honam", "capital_region": false, "supply_mw": 1000},
                {"id": "city", "region": "seoul", "capital_region": true, "supply_mw": 0}],
      "lines": [{"from": "south", "to": "city", "capacity_mw": 0}]})");
    doc["grid"]["lines"][0]["capacity_mw"] = line_mw;
    doc["sites"] = nlohmann::json::parse(R"([
      {"id": "b-city", "node": "city", "owner": "cloud-b"},
      {"id": "b-south", "node": "south", "owner": "cloud-b"},
      {"id": "c-south", "node": "south", "owner": "telco-c"}])");
    if (reversed) std::reverse(doc["sites"].begin(), doc["sites"].end());
    return doc;
  };
  const auto first_site = [](const std::vector<Event>& log) {
    for (const auto& [event, d] : all_of<events::FleetDecision>(log))
      if (event.agent == "cloud-b") return d.site;
    return std::string("none");
  };
  // Customers who reach any site: the cheaper power outside the capital region wins.
  CHECK(first_site(run(with_sites(0, 500, false))) == "b-south");
  // Nine in ten of them served only in the capital region: today's 1,000 GPUs cannot serve them
  // all, and new GPUs there sell more than outside it, where only the other tenth is left.
  const std::vector<Event> capital = run(with_sites(0.9, 500, false));
  CHECK(first_site(capital) == "b-city");
  // The same whatever the order of the sites in the file.
  CHECK(per_agent(run(with_sites(0.9, 500, true))) == per_agent(capital));
  // Without room in the capital region (a line of 0.1 MW, less than one step of 100 GPUs at
  // 1.9 kW and a PUE of 1.3), the order goes outside it after all.
  CHECK(first_site(run(with_sites(0.9, 0.1, false))) == "b-south");
}
