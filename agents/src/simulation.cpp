#include "tenderlab/agents/simulation.hpp"

#include <algorithm>
#include <cmath>

#include "tenderlab/engine/scenario_loader.hpp"
#include "world.hpp"

namespace tenderlab::detail {

World::World(const Scenario& s, const SimulationOptions& o, EventLog& l, Kernel& k)
    : scenario(s), options(o), log(l), kernel(k), graph(s) {
  std::vector<const AgentSpec*> leads;
  for (const auto& agent : s.agents)
    if (agent.kind.may(Role::lead, CallKind::spc_partner)) leads.push_back(&agent);
  std::stable_sort(leads.begin(), leads.end(), [](const AgentSpec* a, const AgentSpec* b) {
    if (a->capital_bn_krw != b->capital_bn_krw) return a->capital_bn_krw > b->capital_bn_krw;
    return a->id < b->id;
  });
  for (const auto* lead : leads)
    leads_by_priority.push_back(lead->id);
}

void start_bidder(SimulationContext& context, const AgentSpec& agent) {
  World& world = context.world();
  world.listeners.push_back(&agent);
  world.kernel.spawn(agent.id, agent.id, [&world, &agent] {
    // Inboxes get their permanent receivers before anybody sends, so messages keep FIFO order.
    Inbox<Message>(inbox_of(agent.id)).claim();
    run_bidder(world, agent);
  });
}

std::vector<ParameterInfo> bidder_parameters() {
  std::vector<ParameterInfo> rows;
  for (const auto& row : parameter_table())
    if (row.section.find("agent") != std::string::npos) rows.push_back(row);
  return rows;
}

void tell_listeners(World& world, const RoundPtr& round) {
  for (const AgentSpec* agent : world.listeners)
    if (agent->kind.takes_part_in(round->call->kind))
      Inbox<Message>(inbox_of(agent->id)).send(RoundAnnounced{round});
}

void stop_listeners(World& world) {
  for (const AgentSpec* agent : world.listeners)
    Inbox<Message>(inbox_of(agent->id)).send(Stop{});
}

double round_money(double bn) {
  const double rounded = std::round(bn * 1000.0) / 1000.0;
  return rounded == 0.0 ? 0.0 : rounded;  // never "-0.0"
}

nlohmann::ordered_json terms_json(const Terms& t) {
  nlohmann::ordered_json j;
  j["public_equity_share"] = t.public_equity_share;
  j["paid_in_capital_bn_krw"] = t.paid_in_capital_bn_krw;
  j["paid_in_years"] = t.paid_in_years;
  j["buy_back"] = t.buy_back.enabled;
  j["buy_back_return_rate"] = t.buy_back.return_rate;
  j["public_preferred"] = t.public_preferred;
  j["loss_bearing"] = t.loss_bearing;
  j["damages_waiver"] = t.damages_waiver;
  j["domestic_chip_share"] = t.domestic_chip_share;
  j["site"] = to_string(t.site);
  j["tax_credit"] = t.tax_credit;
  j["policy_loan_share"] = t.policy_loan.share_of_capex;
  j["policy_loan_rate"] = t.policy_loan.rate;
  j["policy_loan_years"] = t.policy_loan.years;
  j["ceiling_price_bn_krw"] = t.ceiling_price_bn_krw
                                  ? nlohmann::ordered_json(*t.ceiling_price_bn_krw)
                                  : nlohmann::ordered_json(nullptr);
  j["multi_csp_bonus"] = t.multi_csp_bonus;
  return j;
}

nlohmann::ordered_json effects_json(const std::vector<TermEffect>& effects) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& effect : effects) {
    nlohmann::ordered_json entry;
    entry["term"] = effect.term;
    entry["delta_bn_krw"] = round_money(effect.delta);
    out.push_back(entry);
  }
  return out;
}

nlohmann::ordered_json strings_json(const std::vector<std::string>& values) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& value : values)
    out.push_back(value);
  return out;
}

void programme_fields(const World& world, nlohmann::ordered_json& fields) {
  const auto& p = world.programme;
  fields["gpus_online"] = p.gpus_online;
  fields["gpus_online_non_capital"] = p.gpus_online_non_capital;
  fields["mw_online"] = round_money(p.mw_online);
  fields["public_money_committed_bn_krw"] = round_money(p.public_money_committed);
  fields["private_money_committed_bn_krw"] = round_money(p.private_money_committed);
}

void run_calendar(World& world) {
  // Month boundaries are events (reporting, budget years); exogenous shocks fire on their dates.
  const Calendar& calendar = world.log.calendar();
  std::size_t next_event = 0;
  const auto& events = world.scenario.events;
  Date month = Calendar::next_month_start(world.scenario.start);
  for (;;) {
    const bool shock_due = next_event < events.size() && !(month < events[next_event].date);
    const Date when = shock_due ? events[next_event].date : month;
    if (world.scenario.horizon < when) break;
    Kernel::sleep_until(calendar.to_time(when));
    if (shock_due) {
      const ExogenousEvent& e = events[next_event++];
      switch (e.kind) {
        case ShockKind::demand:
          world.market.demand *= e.multiplier;
          break;
        case ShockKind::power_price:
          world.market.power_price *= e.multiplier;
          break;
        case ShockKind::gpu_price:
        case ShockKind::export_control:
          world.market.gpu_price *= e.multiplier;
          break;
        case ShockKind::note:
          break;
      }
      nlohmann::ordered_json fields;
      fields["kind"] = to_string(e.kind);
      fields["multiplier"] = e.multiplier;
      fields["description"] = e.description;
      world.emit("exogenous_event", "", fields);
      continue;
    }
    nlohmann::ordered_json fields;
    programme_fields(world, fields);
    world.emit(month.month() == 1 ? "year_start" : "month_start", "", fields);
    month = Calendar::next_month_start(month);
  }
}

}  // namespace tenderlab::detail

namespace tenderlab {

const Scenario& SimulationContext::scenario() const {
  return world_.scenario;
}

const Calendar& SimulationContext::calendar() const {
  return world_.log.calendar();
}

Rng SimulationContext::stream(const std::string& key) const {
  return world_.stream(key);
}

void SimulationContext::spawn(const std::string& name, const std::string& agent_id,
                              std::function<void()> body) {
  world_.kernel.spawn(name, agent_id, std::move(body));
}

double SimulationContext::now() {
  return Kernel::now();
}

void SimulationContext::sleep_until(double time) {
  Kernel::sleep_until(time);
}

double SimulationContext::horizon_time() const {
  return world_.kernel.horizon_time();
}

double SimulationContext::time_of(Date date, double hour) const {
  return world_.time_of(date, hour);
}

void simulate(const Scenario& scenario, const SimulationOptions& options, std::ostream* events_out,
              const std::vector<EventLog::Observer>& observers, std::uint64_t* event_count,
              std::string* event_log_sha256) {
  const Calendar calendar(scenario.start);
  EventLog log(calendar, events_out);
  for (const auto& observer : observers)
    log.subscribe(observer);

  std::vector<std::string> hosts;
  for (const auto& agent : scenario.agents)
    hosts.push_back(agent.id);
  hosts.push_back("tender-board");
  KernelOptions kernel_options{options.verbose, options.simgrid_args};
  // The horizon day is simulated to its end.
  Kernel kernel(calendar, calendar.to_time(scenario.horizon) + seconds_per_day, hosts,
                kernel_options);
  detail::World world(scenario, options, log, kernel);

  nlohmann::ordered_json started;
  started["schema"] = event_log_schema_version;
  started["scenario"] = scenario.name;
  started["seed"] = options.seed;
  started["replication"] = options.replication;
  started["agents"] = scenario.agents.size();
  started["calls"] = scenario.calls.size();
  started["horizon"] = scenario.horizon.iso();
  log.emit(0.0, "simulation_started", "", started);

  // Inboxes get their permanent receivers before anybody sends, so messages keep FIFO order.
  kernel.spawn("tender-board", "tender-board", [&world] {
    Inbox<detail::Message>(detail::board_inbox).claim();
    detail::run_tender_board(world);
  });
  // Each agent's actors, in file order, as its kind starts them (agent_kinds.hpp).
  SimulationContext context(world);
  for (const auto& agent : scenario.agents)
    if (const StartActors& start = agent.kind.definition().start) start(context, agent);
  world.open_calls = static_cast<int>(scenario.calls.size());
  for (const auto& call : scenario.calls) {
    kernel.spawn("call/" + call.id, call.issuer, [&world, &call] {
      Inbox<detail::Message>(detail::manager_inbox(call.id)).claim();
      detail::run_call_manager(world, call);
    });
  }
  if (scenario.calls.empty()) {
    // Nothing to tender: the board and the agents have nothing to wait for.
    kernel.spawn("idle", "tender-board", [&world] {
      Inbox<detail::Message>(detail::board_inbox).send(detail::Stop{});
      detail::stop_listeners(world);
    });
  }
  kernel.spawn("calendar", "tender-board", [&world] { detail::run_calendar(world); });
  kernel.run();

  nlohmann::ordered_json ended;
  detail::programme_fields(world, ended);
  log.emit(std::max(Kernel::now(), calendar.to_time(scenario.horizon)), "simulation_ended", "",
           ended);
  if (event_count) *event_count = log.count();
  if (event_log_sha256) *event_log_sha256 = log.sha256();
}

}  // namespace tenderlab
