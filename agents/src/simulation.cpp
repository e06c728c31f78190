#include "tenderlab/agents/simulation.hpp"

#include <algorithm>
#include <cmath>

#include "tenderlab/engine/scenario_loader.hpp"
#include "world.hpp"

namespace tenderlab::detail {

World::World(const Scenario& s, const SimulationOptions& o, EventLog& l, Kernel& k)
    : scenario(s), options(o), log(l), kernel(k), graph(s), budgets(s.agents) {
  for (const auto& agent : s.agents)
    if (agent.kind.may(Role::lead, CallKind::spc_partner)) spc_leads.push_back(agent.id);
  std::sort(spc_leads.begin(), spc_leads.end());
  if (s.grid) grid = make_power_grid(*s.grid);
  for (const VendorSpec& vendor : s.vendors)
    vendors.emplace(vendor.agent, make_gpu_vendor(vendor, s.events));
  const GpuGenerationSpec* oldest = oldest_generation(s);
  for (const AgentSpec& agent : s.agents)
    if (agent.fleet && oldest) {
      Fleet& fleet = fleets[agent.id];
      fleet.gpus = agent.gpus;
      fleet.performance = oldest->performance * static_cast<double>(agent.gpus);
      fleet.kw = oldest->kw_per_gpu * static_cast<double>(agent.gpus);
    }
}

void start_bidder(SimulationContext& context, const AgentSpec& agent) {
  World& world = context.world();
  world.listeners.push_back(&agent);
  // A fleet decides on its own clock, beside the bidder; without vendors there is nothing to buy.
  if (agent.fleet && !world.vendors.empty())
    world.kernel.spawn("fleet/" + agent.id, agent.id,
                       [&world, &agent] { run_fleet(world, agent); });
  world.kernel.spawn(agent.id, agent.id, [&world, &agent] {
    // Inboxes get their permanent receivers before anybody sends, so messages keep FIFO order.
    Inbox<Message>(inbox_of(agent.id)).claim();
    run_bidder(world, agent);
  });
}

std::vector<const ParamTable*> bidder_parameters() {
  return {&agent_parameter_table(), &parameter_table("capabilities"), &parameter_table("beliefs")};
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

double round_to(double value, double step) {
  // Dividing by the whole number of steps per unit gives the double nearest the decimal, which
  // the log prints as written (multiplying by the step would print 0.18150000000000002).
  const double per_unit = std::round(1 / step);
  const double rounded = std::round(value * per_unit) / per_unit;
  return rounded == 0.0 ? 0.0 : rounded;  // never "-0.0"
}

double round_money(double bn) {
  const double rounded = std::round(bn * 1000.0) / 1000.0;
  return rounded == 0.0 ? 0.0 : rounded;  // never "-0.0"
}

std::vector<events::ClauseEffect> clause_effects(const std::vector<TermEffect>& effects) {
  std::vector<events::ClauseEffect> out;
  for (const auto& effect : effects) {
    events::ClauseEffect logged{effect.term, round_money(effect.delta), std::nullopt};
    if (effect.standard_error > 0)
      logged.standard_error_bn_krw = round_money(effect.standard_error);
    out.push_back(std::move(logged));
  }
  return out;
}

std::optional<events::ClauseInteraction> clause_interaction(
    const std::optional<ClauseInteraction>& interaction) {
  if (!interaction) return std::nullopt;
  events::ClauseInteraction logged{
      {interaction->first, interaction->second}, round_money(interaction->delta), std::nullopt};
  if (interaction->standard_error > 0)
    logged.standard_error_bn_krw = round_money(interaction->standard_error);
  return logged;
}

LotContract lot_contract_now(const World& world, const CallRound& round, const Bid& bid,
                             std::int64_t lot, std::int64_t lots) {
  return lot_contract(round.call->kind, world.current_object(*round.call), round.terms, bid, lot,
                      lots, world.scenario.assumptions, world.scenario.market,
                      world.budgets.basis(round.call->issuer));
}

events::DeliveryPipeline delivery_pipeline(const World& world) {
  events::DeliveryPipeline pipeline;
  std::map<std::string, double> mw_by_region;
  const double now = Kernel::now();
  for (const auto& [order, d] : world.deliveries) {
    events::WaitingGpus& waiting = d.fleet ? pipeline.fleets : pipeline.calls;
    // What is not delivered waits for the vendor; of what is, what does not run waits for the
    // building while it stands unfinished, then for the site's power.
    waiting.for_vendor += d.gpus - d.delivered;
    (now < d.built_at ? waiting.for_building : waiting.for_power) += d.delivered - d.online;
    if (d.outstanding_mw > 0) mw_by_region[d.region] += d.outstanding_mw;
  }
  for (const auto& [region, mw] : mw_by_region)
    pipeline.mw_waiting.push_back({region, round_money(mw)});
  return pipeline;
}

events::ProgrammeState programme_state(const World& world) {
  const auto& p = world.programme;
  events::ProgrammeState state;
  state.gpus_online = p.gpus_online;
  state.gpus_online_non_capital = p.gpus_online_non_capital;
  state.mw_online = round_money(p.mw_online);
  state.public_money_committed_bn_krw = round_money(p.public_money_committed);
  state.private_money_committed_bn_krw = round_money(p.private_money_committed);
  return state;
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
          world.market.gpu_price *= e.multiplier;
          break;
        case ShockKind::export_control:
          // Naming a generation stops its sale (the vendors read it); otherwise prices rise.
          if (e.generation.empty()) world.market.gpu_price *= e.multiplier;
          break;
        case ShockKind::supply:  // the vendors read it at their next quarter's decision
        case ShockKind::note:
          break;
      }
      world.emit("", events::ExogenousEvent{to_string(e.kind), e.multiplier, e.description});
      continue;
    }
    if (month.month() == 1) {
      world.emit("", events::YearStart{programme_state(world)});
      if (reports_pipeline(world.scenario)) world.emit("", delivery_pipeline(world));
    } else
      world.emit("", events::MonthStart{programme_state(world)});
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

const Event& SimulationContext::emit_fields(std::string type, const std::string& agent_id,
                                            nlohmann::ordered_json fields) {
  return world_.log.emit(Kernel::now(), std::move(type), agent_id, std::move(fields));
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
  // Each actor's stack has a guard page, which costs the process two memory mappings; a market of
  // many thousand agents (an actor each, with fleets, deliveries and compute customers more) runs
  // into the system's limit on mappings (vm.max_map_count, 65,530 by default) and the engine
  // aborts. Such markets run without guard pages (the stacks stay as large); a
  // `--cfg=contexts/guard-size:N` passed through still sets them, as it comes later.
  constexpr std::size_t many_agents_without_stack_guards = 2000;
  if (scenario.agents.size() > many_agents_without_stack_guards)
    kernel_options.simgrid_args.insert(kernel_options.simgrid_args.begin(),
                                       "--cfg=contexts/guard-size:0");
  // The horizon day is simulated to its end.
  Kernel kernel(calendar, calendar.to_time(scenario.horizon) + seconds_per_day, hosts,
                kernel_options, detail::compute_hosts(scenario));
  detail::World world(scenario, options, log, kernel);

  log.emit(0.0, "",
           events::SimulationStarted{event_log_schema_version, scenario.name, options.seed,
                                     options.replication, scenario.agents.size(),
                                     scenario.calls.size(), scenario.horizon.iso()});

  // Inboxes get their permanent receivers before anybody sends, so messages keep FIFO order.
  kernel.spawn("tender-board", "tender-board", [&world] {
    Inbox<detail::Message>(detail::board_inbox).claim();
    detail::run_tender_board(world);
  });
  // Actors ready at the same simulated moment run in the order they were started, and so do the
  // events they log. Starting the agents' actors (as their kinds start them, agent_kinds.hpp) and
  // the call managers in id order, not file order, makes that order a documented rule and the
  // event log the same bytes however the scenario file lists its agents and calls.
  std::vector<const AgentSpec*> agents_by_id;
  for (const auto& agent : scenario.agents)
    agents_by_id.push_back(&agent);
  std::sort(agents_by_id.begin(), agents_by_id.end(),
            [](const AgentSpec* a, const AgentSpec* b) { return a->id < b->id; });
  // Pools claim their inboxes before anybody can send them GPUs or jobs.
  detail::start_compute(world);
  SimulationContext context(world);
  for (const AgentSpec* agent : agents_by_id)
    if (const StartActors& start = agent->kind.definition().start) start(context, *agent);
  // A kind with a role in some call kind is sent rounds and invitations: without an actor that
  // reads them, a lead would wait for its answer for ever.
  for (const auto& agent : scenario.agents) {
    bool takes_part = false;
    for (std::size_t call = 0; call < call_kind_names.size(); ++call)
      takes_part = takes_part || agent.kind.takes_part_in(static_cast<CallKind>(call));
    const auto& listeners = world.listeners;
    if (takes_part && std::find(listeners.begin(), listeners.end(), &agent) == listeners.end())
      throw ModelError("agent kind '" + agent.kind.name() +
                       "' has roles in calls but its start function starts no actor that reads "
                       "the agent's inbox (agent " +
                       agent.id + ")");
  }
  world.open_calls = static_cast<int>(scenario.calls.size());
  std::vector<const CallSpec*> calls_by_id;
  for (const auto& call : scenario.calls)
    calls_by_id.push_back(&call);
  std::sort(calls_by_id.begin(), calls_by_id.end(),
            [](const CallSpec* a, const CallSpec* b) { return a->id < b->id; });
  for (const CallSpec* call_spec : calls_by_id) {
    const CallSpec& call = *call_spec;
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

  const double end = std::max(Kernel::now(), calendar.to_time(scenario.horizon));
  if (detail::reports_pipeline(scenario)) log.emit(end, "", detail::delivery_pipeline(world));
  log.emit(end, "", events::SimulationEnded{detail::programme_state(world)});
  if (event_count) *event_count = log.count();
  if (event_log_sha256) *event_log_sha256 = log.sha256();
}

}  // namespace tenderlab
