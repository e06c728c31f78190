// An agent kind added in this one file, the way ARCHITECTURE.md ("How to add an agent kind")
// describes: a registration line naming the kind, its roles (none here), its parameters and the
// function that starts its actors, and an event type of its own. Its actor logs one event at the
// start of every month. The test loads a small scenario that uses the kind (the loader accepts it
// because it is registered), runs it in a forked child (SimGrid allows one engine per process),
// and reads the log back: the toy ticks every month and, having no role in any call kind, takes
// no part in the SPC call it sits next to, however well it is connected.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "run_in_child.hpp"
#include "tenderlab/agents/simulation.hpp"
#include "tenderlab/agents/simulation_context.hpp"
#include "tenderlab/engine/event_dispatcher.hpp"
#include "tenderlab/engine/kernel.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

using namespace tenderlab;
using tenderlab::test::parse;
using tenderlab::test::run_in_child;

namespace {

/// The toy's own event.
struct ToyTick {
  static constexpr std::string_view type = "toy_tick";
  std::string month;
  int count = 0;
  static constexpr auto fields() {
    return std::tuple{field("month", &ToyTick::month, "", "the month that starts, YYYY-MM"),
                      field("count", &ToyTick::count, "ticks", "ticks so far, this one included")};
  }
};

void start_toy(SimulationContext& context, const AgentSpec& agent) {
  context.spawn("toy/" + agent.id, agent.id, [&context, &agent] {
    const Scenario& scenario = context.scenario();
    int count = 0;
    for (Date month = Calendar::next_month_start(scenario.start); !(scenario.horizon < month);
         month = Calendar::next_month_start(month)) {
      context.sleep_until(context.time_of(month));
      context.emit(agent.id, ToyTick{month.iso().substr(0, 7), ++count});
    }
  });
}

const AgentKindRegistration toy_kind{{
    .name = "toy_monthly",
    .meaning = "logs one event at the start of every month; takes part in no call",
    .roles = RoleTable{},
    .parameters = {},
    .start = start_toy,
}};

/// A government, a cloud provider and a toy agent with everything a consortium could want,
/// tied to the cloud provider; one SPC call.
nlohmann::json toy_scenario() {
  return nlohmann::json::parse(R"({
    "format": "tenderlab-scenario/1",
    "name": "toy",
    "start_date": "2025-01-01",
    "horizon": "2025-12-31",
    "seed": 3,
    "valuation": {"paths": 40},
    "agents": [
      {"id": "gov", "kind": "government"},
      {"id": "cloud-a", "kind": "cloud_provider", "capital_bn_krw": 500,
       "capabilities": {"cloud_operations": 0.9}},
      {"id": "ticker", "kind": "toy_monthly", "capital_bn_krw": 100000,
       "capabilities": {"sites_power": 1, "construction": 1, "local_government": 1}}
    ],
    "relationships": [{"from": "cloud-a", "to": "ticker", "strength": 1}],
    "calls": [{
      "id": "spc", "kind": "spc_partner", "issuer": "gov",
      "schedule": {"announce": "2025-02-03", "bid_deadline": "2025-03-31"},
      "object": {"gpus": 1000},
      "terms": {"public_equity_share": 0.3, "paid_in_capital_bn_krw": 100},
      "procedure": {"min_valid_bids": 1}
    }]
  })");
}

}  // namespace

TEST_CASE("an agent kind added in one file runs, logs its own events and stays out of calls") {
  const Scenario scenario = scenario_from_json(toy_scenario(), "toy.json");
  REQUIRE(scenario.agents[2].kind == toy_kind.kind());

  const std::vector<Event> log = parse(run_in_child(scenario));
  REQUIRE(log.front().type == "simulation_started");
  REQUIRE(log.back().type == "simulation_ended");

  std::vector<std::string> months;
  for (const auto& event : log) {
    check_known_event(event);  // tenderlab's own events read back into their structs
    if (event.type == "toy_tick") {
      const ToyTick tick = decode_event<ToyTick>(event);
      CHECK(event.agent == "ticker");
      CHECK(event.date == tick.month + "-01");
      CHECK(event.time == Calendar(scenario.start).to_time(Date::parse(event.date).value()));
      CHECK(tick.count == static_cast<int>(months.size()) + 1);
      months.push_back(tick.month);
    }
  }
  CHECK(months == std::vector<std::string>{"2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
                                           "2025-07", "2025-08", "2025-09", "2025-10", "2025-11",
                                           "2025-12"});

  // The call ran, and the toy was never invited, never counted and never bid.
  bool announced = false;
  for (const auto& event : log) {
    if (event.type == "call_announced") announced = true;
    if (event.type == "invitation_sent")
      CHECK(decode_event<events::InvitationSent>(event).to != "ticker");
    if (event.type == "round_failed")
      for (const auto& away : decode_event<events::RoundFailed>(event).stayed_away)
        CHECK(away.agent != "ticker");
    if (event.type != "toy_tick") CHECK(event.agent != "ticker");
  }
  CHECK(announced);
}
