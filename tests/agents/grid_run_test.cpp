// Whole runs with a power grid: a contract's GPUs wait for their MW, come online in parts as the
// grid operator grants them, and the reinforcement the operator starts for the rest arrives when
// the scenario says; the network's numbers alone decide (a roomy grid changes nothing, and the
// order of nodes, lines and sites in the file changes nothing).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "run_in_child.hpp"
#include "tenderlab/engine/event_dispatcher.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

using namespace tenderlab;
using tenderlab::test::parse;
using tenderlab::test::run_in_child;

namespace {

/// One SPC call for 2,000 GPUs at a capital site, signed on 2025-05-30, built in two years
/// (online 2027-05-30 without a grid). Its site asks for 2,000 x 1.9 kW x 1.3 = 4.94 MW at the
/// seoul node, whose line from the backbone has 2 MW left.
nlohmann::json grid_scenario() {
  return nlohmann::json::parse(R"({
    "format": "tenderlab-scenario/1",
    "name": "grid-run",
    "start_date": "2025-01-01",
    "horizon": "2029-12-31",
    "seed": 3,
    "valuation": {"paths": 40},
    "agents": [
      {"id": "gov", "kind": "government"},
      {"id": "kepco", "kind": "grid_operator"},
      {"id": "cloud-a", "kind": "cloud_provider", "capital_bn_krw": 5000,
       "strategic_value_bn_krw": 500,
       "capabilities": {"cloud_operations": 0.9, "sites_power": 0.8, "construction": 0.5}}
    ],
    "calls": [{
      "id": "spc", "kind": "spc_partner", "issuer": "gov",
      "schedule": {"announce": "2025-02-03", "bid_deadline": "2025-03-31"},
      "object": {"gpus": 2000},
      "terms": {"public_equity_share": 0.3, "paid_in_capital_bn_krw": 100, "site": "capital"},
      "procedure": {"min_valid_bids": 1}
    }],
    "grid": {
      "operator": "kepco",
      "review_days": 90,
      "reinforcement_days": 730,
      "nodes": [
        {"id": "backbone", "region": "chungcheong", "supply_mw": 1000},
        {"id": "seoul", "region": "seoul", "capital_region": true, "load_mw": 120},
        {"id": "naju", "region": "jeonnam", "supply_mw": 0}
      ],
      "lines": [{"from": "backbone", "to": "seoul", "capacity_mw": 122},
                {"from": "backbone", "to": "naju", "capacity_mw": 500}]
    },
    "sites": [{"id": "gasan", "node": "seoul", "owner": "cloud-a"},
              {"id": "naju-park", "node": "naju"}]
  })");
}

template <class E>
std::vector<std::pair<std::string, E>> all_of(const std::vector<Event>& log) {
  std::vector<std::pair<std::string, E>> out;
  for (const Event& event : log)
    if (event.type == E::type) out.emplace_back(event.date, decode_event<E>(event));
  return out;
}

std::vector<Event> run(const nlohmann::json& document) {
  return parse(run_in_child(scenario_from_json(document, "grid-run.json")));
}

/// The grid's events and the capacity coming online, as lines to compare across runs.
std::vector<std::string> grid_story(const std::vector<Event>& log) {
  std::vector<std::string> lines;
  for (const Event& event : log)
    if (event.type.rfind("connection_", 0) == 0 || event.type == "grid_reinforced" ||
        event.type == "other_applications_decided" || event.type == "capacity_online")
      lines.push_back(event.date + " " + event.type + " " + event.agent + " " +
                      event.fields.dump());
  return lines;
}

}  // namespace

TEST_CASE("grid run: GPUs wait for their power and come online in parts as it is granted") {
  const std::vector<Event> log = run(grid_scenario());
  const auto requested = all_of<events::ConnectionRequested>(log);
  REQUIRE(requested.size() == 1);
  CHECK(requested[0].first == "2025-05-30");  // the contract's signature
  CHECK(requested[0].second.site == "gasan");
  CHECK(requested[0].second.mw == Approx(4.94));

  const auto decided = all_of<events::ConnectionDecided>(log);
  REQUIRE(decided.size() >= 2);
  // The first review after the request: day 180 from the start (2025-06-30) grants the 2 MW the
  // line has left; the reinforcement for the other 2.94 MW starts then and is in service 730
  // days later (2027-06-30); the review after that (day 990, 2027-09-18) grants them.
  CHECK(decided.front().first == "2025-06-30");
  CHECK(decided.front().second.decision == "partial");
  CHECK(decided.front().second.granted_mw == Approx(2.0));
  CHECK(decided.front().second.waited_days == 30);  // whole days: signed after 00:00 on 05-30
  for (std::size_t i = 1; i + 1 < decided.size(); ++i)
    CHECK(decided[i].second.decision == "refused");
  CHECK(decided.back().first == "2027-09-18");
  CHECK(decided.back().second.decision == "granted");
  CHECK(decided.back().second.granted_mw == Approx(2.94));
  CHECK(decided.back().second.outstanding_mw == 0);
  const auto reinforced = all_of<events::GridReinforced>(log);
  REQUIRE(reinforced.size() == 1);
  CHECK(reinforced[0].first == "2027-06-30");
  CHECK(reinforced[0].second.cause == "reinforcement");
  CHECK(reinforced[0].second.mw == Approx(2.94));

  // The building is ready on 2027-05-30: the GPUs the first 2 MW power (2000 x 2 / 4.94 = 809)
  // run from then, the rest from the final grant.
  const auto online = all_of<events::CapacityOnline>(log);
  REQUIRE(online.size() == 2);
  CHECK(online[0].first == "2027-05-30");
  CHECK(online[0].second.gpus == 809);
  CHECK(online[1].first == "2027-09-18");
  CHECK(online[1].second.gpus == 2000 - 809);
  CHECK(online[0].second.mw + online[1].second.mw == Approx(4.94).margin(0.002));
  CHECK(online[0].second.grid_region == "seoul");
  CHECK(!online[0].second.generation);  // no vendors

  // At each year's end: the GPUs (at hand: no vendor) wait for the building until 2027-05-30,
  // with the 2.94 MW not granted; at the end of 2027 all run.
  const auto pipeline = all_of<events::DeliveryPipeline>(log);
  REQUIRE(pipeline.size() == 5);
  for (std::size_t year = 0; year < 2; ++year) {
    CHECK(pipeline[year].first == std::to_string(2026 + year) + "-01-01");
    const events::DeliveryPipeline& p = pipeline[year].second;
    CHECK(p.calls.for_vendor == 0);
    CHECK(p.calls.for_building == 2000);
    CHECK(p.calls.for_power == 0);
    REQUIRE(p.mw_waiting.size() == 1);
    CHECK(p.mw_waiting[0].region == "seoul");
    CHECK(p.mw_waiting[0].mw == Approx(2.94));
  }
  const events::DeliveryPipeline& end_2027 = pipeline[2].second;
  CHECK(end_2027.calls.for_building + end_2027.calls.for_power == 0);
  CHECK(end_2027.mw_waiting.empty());
}

TEST_CASE("grid run: other data centres' applications take part of the headroom at each review") {
  auto document = grid_scenario();
  document["grid"]["nodes"][1]["other_applications_mw_per_year"] = 4;
  const std::vector<Event> log = run(document);
  const auto others = all_of<events::OtherApplicationsDecided>(log);
  // A review every 90 days from the start (noon of day 0, 90, 180, ...), each with what others
  // applied for since the last one: 4 MW x 90 / 365.25 = 0.9856 MW.
  REQUIRE(others.size() >= 3);
  CHECK(others[0].first == "2025-01-01");
  CHECK(others[0].second.requested_mw == Approx(4 * 0.5 / 365.25).margin(0.0005));
  CHECK(others[1].first == "2025-04-01");
  CHECK(others[1].second.node == "seoul");
  CHECK(others[1].second.capital_region);
  CHECK(others[1].second.requested_mw == Approx(0.9856).margin(0.0005));
  CHECK(others[1].second.granted_mw == Approx(0.9856).margin(0.0005));
  // At the contract's first review (2025-06-30) 2 - 0.0055 - 0.9856 = 1.0089 MW are left; the
  // contract's 4.94 MW and others' 0.9856 reach the same share s = 1.0089 / 5.9256 = 0.1703:
  // 0.841 MW for the contract (2 MW without others), 0.168 for others.
  const auto decided = all_of<events::ConnectionDecided>(log);
  REQUIRE(!decided.empty());
  CHECK(decided.front().first == "2025-06-30");
  CHECK(decided.front().second.granted_mw == Approx(0.841).margin(0.002));
  CHECK(others[2].second.granted_mw == Approx(0.168).margin(0.002));
  // The reinforcement serves the contract only: others' MW lapse and start none.
  const auto reinforced = all_of<events::GridReinforced>(log);
  REQUIRE(!reinforced.empty());
  CHECK(reinforced[0].first == "2027-06-30");
  CHECK(reinforced[0].second.mw == Approx(4.94 - 0.841).margin(0.002));
  // Fewer GPUs run from the building's date than without others (809).
  const auto online = all_of<events::CapacityOnline>(log);
  REQUIRE(!online.empty());
  CHECK(online[0].first == "2027-05-30");
  CHECK(online[0].second.gpus == 2000 * 841 / 4940);
}

TEST_CASE("grid run: GPUs built and waiting for their power are reported as such") {
  // The run ends between the building (2027-05-30) and the final grant (2027-09-18): 809 GPUs
  // run, the other 1,191 wait for the 2.94 MW.
  auto document = grid_scenario();
  document["horizon"] = "2027-07-31";
  const auto pipeline = all_of<events::DeliveryPipeline>(run(document));
  REQUIRE(!pipeline.empty());
  CHECK(pipeline.back().first == "2027-08-01");  // the end of the horizon day
  const events::DeliveryPipeline& end = pipeline.back().second;
  CHECK(end.calls.for_building == 0);
  CHECK(end.calls.for_power == 2000 - 809);
  REQUIRE(end.mw_waiting.size() == 1);
  CHECK(end.mw_waiting[0].mw == Approx(2.94));
  CHECK(end.fleets.for_vendor + end.fleets.for_building + end.fleets.for_power == 0);
}

TEST_CASE("grid run: a grid with room, or no grid, leaves the delivery date to the building") {
  auto roomy = grid_scenario();
  roomy["grid"]["lines"][0]["capacity_mw"] = 200;
  auto online = all_of<events::CapacityOnline>(run(roomy));
  REQUIRE(online.size() == 1);
  CHECK(online[0].first == "2027-05-30");
  CHECK(online[0].second.gpus == 2000);

  auto none = grid_scenario();
  none.erase("grid");
  none.erase("sites");
  const std::vector<Event> log = run(none);
  online = all_of<events::CapacityOnline>(log);
  REQUIRE(online.size() == 1);
  CHECK(online[0].first == "2027-05-30");
  CHECK(all_of<events::ConnectionRequested>(log).empty());
}

TEST_CASE("grid run: a non-capital contract goes to the ownerless site with room") {
  auto doc = grid_scenario();
  doc["calls"][0]["terms"]["site"] = "non_capital";
  const std::vector<Event> log = run(doc);
  const auto requested = all_of<events::ConnectionRequested>(log);
  REQUIRE(requested.size() == 1);
  CHECK(requested[0].second.site == "naju-park");
  const auto decided = all_of<events::ConnectionDecided>(log);
  REQUIRE(decided.size() == 1);
  CHECK(decided[0].second.decision == "granted");
}

TEST_CASE("grid run: the order of nodes, lines, sites and upgrades in the file changes nothing") {
  auto doc = grid_scenario();
  doc["grid"]["upgrades"] = nlohmann::json::parse(
      R"([{"date": "2026-03-01", "node": "seoul", "to": "backbone", "mw": 1},
          {"date": "2026-03-01", "node": "naju", "mw": 10}])");
  const std::vector<std::string> story = grid_story(run(doc));
  CHECK(std::count_if(story.begin(), story.end(), [](const std::string& line) {
          return line.find("grid_reinforced") != std::string::npos;
        }) == 3);
  auto reversed = doc;
  for (const char* key : {"nodes", "lines", "upgrades"}) {
    auto& list = reversed["grid"][key];
    std::reverse(list.begin(), list.end());
  }
  std::reverse(reversed["sites"].begin(), reversed["sites"].end());
  CHECK(grid_story(run(reversed)) == story);
  // So does it with other data centres applying at two nodes.
  doc["grid"]["nodes"][1]["other_applications_mw_per_year"] = 4;
  doc["grid"]["nodes"][2]["other_applications_mw_per_year"] = 50;
  reversed["grid"]["nodes"][1]["other_applications_mw_per_year"] = 4;
  reversed["grid"]["nodes"][0]["other_applications_mw_per_year"] = 50;
  const std::vector<std::string> with_others = grid_story(run(doc));
  CHECK(std::count_if(with_others.begin(), with_others.end(), [](const std::string& line) {
          return line.find("other_applications_decided") != std::string::npos;
        }) > 10);
  CHECK(grid_story(run(reversed)) == with_others);
}

TEST_CASE("grid run: a call that requires a grid connection refuses a team whose sites lack it") {
  // The contract needs 4.94 MW; the team's capital site can draw 2 MW now (122 - 120), the
  // ownerless site outside the capital region 500.
  const auto opened = [](const nlohmann::json& doc) {
    const auto bids = all_of<events::BidsOpened>(run(doc));
    REQUIRE(bids.size() == 1);
    REQUIRE(bids[0].second.bids.size() == 1);
    return bids[0].second.bids[0];
  };
  auto doc = grid_scenario();
  doc["calls"][0]["eligibility"] = {{"min_grid_mw", 4.94}};
  const events::ScoredBidEntry capital = opened(doc);
  CHECK_FALSE(capital.valid);
  CHECK(capital.invalid_reason == "not eligible: grid connection below the minimum");
  // Exactly what the capital site can draw qualifies.
  doc["calls"][0]["eligibility"]["min_grid_mw"] = 2;
  CHECK(opened(doc).valid);
  // Outside the capital region the ownerless site has the room.
  doc["calls"][0]["eligibility"]["min_grid_mw"] = 4.94;
  doc["calls"][0]["terms"]["site"] = "non_capital";
  CHECK(opened(doc).valid);
}
