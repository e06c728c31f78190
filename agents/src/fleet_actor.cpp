// A private fleet's actor: at 00:00 on the first day of each quarter its owner decides whether to
// buy more GPUs (decide_fleet_expansion, on paths drawn from its own stream for that quarter),
// orders them from the vendor whose preferred generation costs least per unit of performance, at
// the site of its own (or an ownerless one) where they are worth most, and the GPUs run when
// delivered and powered (delivery_actor.cpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "tenderlab/agents/fleet_expansion.hpp"
#include "world.hpp"

namespace tenderlab::detail {

namespace {

/// A site where a fleet could put new GPUs, and the room it has there now: the grid's headroom at
/// its node, within what is left of its max_mw after the MW granted there so far.
struct SiteRoom {
  const SiteSpec* site = nullptr;
  double room = 0;
};

/// The sites of `owner` and those without an owner, the roomiest of each kind: sites of one region
/// class, PUE, tariff share and building time value an expansion alike but for their room, so
/// only the roomiest of a kind (ties by id) can be the best. Empty without a grid.
std::vector<SiteRoom> candidate_sites(const World& world, const std::string& owner) {
  std::vector<SiteRoom> best;
  if (!world.grid) return best;
  const GridSpec& grid = *world.scenario.grid;
  const auto same_kind = [&grid](const SiteSpec& a, const SiteSpec& b) {
    return capital_node(grid, a.node) == capital_node(grid, b.node) && a.pue == b.pue &&
           a.power_price_factor == b.power_price_factor && a.build_days == b.build_days;
  };
  for (const SiteSpec& site : world.scenario.sites) {
    if (!site.owner.empty() && site.owner != owner) continue;
    const double room = site_room(*world.grid, site, world.site_mw);
    const auto kind = std::find_if(best.begin(), best.end(), [&](const SiteRoom& other) {
      return same_kind(*other.site, site);
    });
    if (kind == best.end())
      best.push_back({&site, room});
    else if (room > kind->room || (room == kind->room && site.id < kind->site->id))
      *kind = {&site, room};
  }
  return best;
}

/// One site's expansion, as the owner values it, and the site's room.
struct SiteChoice {
  SiteRoom at;
  ExpansionOption option;
  ExpansionDecision decision;
};

/// The better site for the owner: the higher value of the best plan there, then of the step
/// beyond it (where no plan pays, the site where one would come closest), then the shorter
/// building time, the more room, the smaller id. A total order, so the choice does not depend on
/// the order of the sites in the file.
bool better_site(const SiteChoice& a, const SiteChoice& b) {
  const double value_a = a.decision.plan.certainty_equivalent_bn_krw;
  const double value_b = b.decision.plan.certainty_equivalent_bn_krw;
  if (value_a != value_b) return value_a > value_b;
  if (a.decision.next_step.value_bn_krw != b.decision.next_step.value_bn_krw)
    return a.decision.next_step.value_bn_krw > b.decision.next_step.value_bn_krw;
  if (a.at.site->build_days != b.at.site->build_days)
    return a.at.site->build_days < b.at.site->build_days;
  if (a.at.room != b.at.room) return a.at.room > b.at.room;
  return a.at.site->id < b.at.site->id;
}

/// Years from `from` to `to`, as days / 365.25 (the demand's growth; its whole part, the anchor's
/// years gone).
double years_between_dates(Date from, Date to) {
  return static_cast<double>(to.days - from.days) / 365.25;
}

std::string quarter_name(Date date) {
  return std::to_string(date.year()) + "q" + std::to_string((date.month() - 1) / 3 + 1);
}

constexpr double seconds_per_year = 365.25 * seconds_per_day;

/// Adds what the fleet's GPUs online could deliver and draw from the last change to `now`.
void advance(World::Fleet::Operation& operation, double now) {
  const double hours = (now - operation.since) / 3600.0;
  if (hours > 0) {
    operation.capacity_gpu_hours += operation.performance * hours;
    operation.outside_full_load_kwh += operation.outside_kw * hours;
    operation.outside_tariff_kwh += operation.outside_tariff_kw * hours;
  }
  operation.since = now;
}

/// GPUs that start running now: `performance` and `kw` (IT) for all of them, drawing `pue` times
/// that at a site outside the capital region or not, whose tariff is `tariff_share` of the
/// market's before the policy discount.
void add_online(World::Fleet::Operation& operation, double performance, double kw, double pue,
                bool non_capital, double tariff_share) {
  advance(operation, Kernel::now());
  operation.performance += performance;
  if (!non_capital) return;
  operation.outside_kw += kw * pue;
  operation.outside_tariff_kw += kw * pue * tariff_share;
}

/// What the fleet instruments cost the state for the fleet from `from` to now, logged when they
/// cost anything: the anchor due over the period (its years from the start of the run), the
/// customers' demand at the market's growth and shocks (or, with compute use, the share of its
/// pool's GPU-hours measured busy), the tariff of the day with its shocks.
void account_instruments(World& world, const AgentSpec& agent, double from, double anchor_share,
                         std::pair<double, double>& pool_seen) {
  const Scenario& scenario = world.scenario;
  const FleetInstruments& instruments = scenario.programme.fleet_instruments;
  World::Fleet::Operation& operation = world.fleets[agent.id].operation;
  const double now = Kernel::now();
  advance(operation, now);
  FleetPeriod period;
  period.capacity_gpu_hours = operation.capacity_gpu_hours;
  period.outside_full_load_kwh = operation.outside_full_load_kwh;
  period.outside_tariff_kwh = operation.outside_tariff_kwh;
  operation.capacity_gpu_hours = operation.outside_full_load_kwh = operation.outside_tariff_kwh = 0;
  const double from_years = from / seconds_per_year;
  const double to_years = now / seconds_per_year;
  const double anchor_years =
      std::max(0.0, std::min(to_years, static_cast<double>(instruments.anchor_years)) - from_years);
  period.anchor_gpu_hours = instruments.anchor_gpu_hours_per_year * anchor_share * anchor_years;
  period.demand_gpu_hours =
      agent.fleet->demand_gpu_hours_per_year *
      std::pow(1 + scenario.market.demand_growth, (from_years + to_years) / 2) *
      world.market.demand * (to_years - from_years);
  if (world.compute) {
    const World::Pool& pool = world.compute->pools[agent.id];
    const double capacity = pool.capacity_gpu_hours - pool_seen.first;
    const double busy = pool.busy_gpu_hours - pool_seen.second;
    pool_seen = {pool.capacity_gpu_hours, pool.busy_gpu_hours};
    period.measured_utilization = capacity > 0 ? std::clamp(busy / capacity, 0.0, 1.0) : 0.0;
  }
  const double tariff = scenario.market.power_price_krw_per_kwh * world.market.power_price;
  const FleetInstrumentCost cost = fleet_instrument_cost(
      period, instruments, scenario.market.utilization_cap, tariff, scenario.assumptions);
  events::InstrumentCost logged;
  logged.from = world.log.calendar().to_date(from).iso();
  logged.anchor_gpu_hours = std::round(cost.anchor_gpu_hours * 100) / 100;
  logged.anchor_bn_krw = round_money(cost.anchor_bn_krw);
  logged.utilization = std::round(cost.utilization * 1e4) / 1e4;
  logged.mwh_outside_capital = std::round(cost.outside_kwh) / 1000;
  logged.tariff_discount_bn_krw = round_money(cost.tariff_discount_bn_krw);
  if (logged.anchor_bn_krw > 0 || logged.tariff_discount_bn_krw > 0) world.emit(agent.id, logged);
}

}  // namespace

bool fleet_outside_capital(const World& world, const std::string& owner) {
  if (!world.grid) return true;
  int outside = 0, inside = 0;
  for (const SiteSpec& site : world.scenario.sites)
    if (site.owner == owner) ++(capital_node(*world.scenario.grid, site.node) ? inside : outside);
  return outside > inside;
}

void run_fleet(World& world, const AgentSpec& agent) {
  const Scenario& scenario = world.scenario;
  const FleetSpec& spec = *agent.fleet;
  const FleetInstruments& instruments = scenario.programme.fleet_instruments;
  double total_demand = 0;  // the anchor is shared in proportion to the fleets' demand
  for (const AgentSpec& a : scenario.agents)
    if (a.fleet) total_demand += a.fleet->demand_gpu_hours_per_year;
  const double anchor_share = total_demand > 0 ? spec.demand_gpu_hours_per_year / total_demand : 0;
  // The GPUs it runs at the start: the oldest generation, where most of its own sites are.
  const bool outside_capital = fleet_outside_capital(world, agent.id);
  const ProjectAssumptions& assumptions = scenario.assumptions;
  {
    World::Fleet& fleet = world.fleets[agent.id];
    fleet.operation.since = Kernel::now();
    add_online(fleet.operation, fleet.performance, fleet.kw, spec.pue, outside_capital,
               site_power_factor(std::nullopt, outside_capital, FleetInstruments{}, assumptions));
  }
  double accounted_to = Kernel::now();
  std::pair<double, double> pool_seen{0, 0};  // the pool's capacity and busy GPU-hours so far
  for (Date quarter = quarter_start(quarter_of(scenario.start) + 1); !(scenario.horizon < quarter);
       quarter = quarter_start(quarter_of(quarter) + 1)) {
    Kernel::sleep_until(world.time_of(quarter));
    account_instruments(world, agent, accounted_to, anchor_share, pool_seen);
    accounted_to = Kernel::now();
    const VendorSpec* vendor_spec = preferred_vendor(world, quarter);
    World::Fleet& fleet = world.fleets[agent.id];
    const double years = years_between_dates(scenario.start, quarter);
    const Beliefs beliefs = current_beliefs(world, agent);
    events::FleetDecision decision;
    decision.fleet_gpus = fleet.gpus;
    double forecast = spec.demand_gpu_hours_per_year * std::pow(1 + beliefs.demand_growth, years) *
                      world.market.demand;
    // With compute use, the owner also sees what its pool was asked for in the last year and
    // weighs it against its forecast (adaptive expectations).
    if (const std::optional<double> observed = observed_demand(world, agent.id)) {
      const double weight = scenario.compute->demand_learning_weight;
      forecast = weight * *observed + (1 - weight) * forecast;
    }
    decision.demand_gpu_hours_per_year = round_money(forecast);
    if (!vendor_spec) {
      decision.binding = "vendor";
      world.emit(agent.id, decision);
      continue;
    }
    const GpuVendor& vendor = world.vendors.at(vendor_spec->agent);
    const GpuGeneration& generation = *vendor.preferred_generation(quarter);
    FleetState state;
    state.gpus = fleet.gpus;
    state.performance = fleet.gpus > 0 ? fleet.performance / static_cast<double>(fleet.gpus) : 1;
    state.kw_per_gpu = fleet.gpus > 0 ? fleet.kw / static_cast<double>(fleet.gpus) : 0;
    state.pue = spec.pue;
    state.non_capital_site = fleet_outside_capital(world, agent.id);
    state.demand_gpu_hours_per_year = decision.demand_gpu_hours_per_year;
    state.capital_bn_krw = agent.capital_bn_krw;
    state.remote_demand_discount = agent.remote_demand_discount;
    ExpansionOption offer;
    offer.gpu_price_bn_krw = list_price_bn_krw(generation, quarter) * world.market.gpu_price;
    offer.performance = generation.performance;
    offer.kw_per_gpu = generation.kw_per_gpu;
    offer.pue = spec.pue;
    offer.vendor_allocation = vendor_spec->buyer_cap_per_quarter;
    offer.life_years = scenario.assumptions.gpu_depreciation_years;
    offer.build_cost_bn_krw_per_mw = spec.build_cost_bn_krw_per_mw;
    offer.non_capital_site = true;
    FleetInstruments reach = instruments;
    reach.anchor_gpu_hours_per_year = instruments.anchor_gpu_hours_per_year * anchor_share;
    reach.anchor_years = std::max(0, instruments.anchor_years - static_cast<int>(years));
    FleetPolicy policy;
    policy.max_capital_share_per_quarter = spec.max_capital_share_per_quarter;
    policy.hurdle_rate = spec.hurdle_rate;
    policy.risk_aversion = spec.risk_aversion;
    policy.step_gpus = spec.step_gpus;
    // The quarter's paths from the owner's own stream, named after the quarter: the same
    // whatever else happens in the run, and the same for every site compared.
    Rng stream = world.stream(agent.id).derive("fleet/" + quarter_name(quarter));
    const MarketPaths paths = draw_market_paths(beliefs, scenario.valuation.paths, offer.life_years,
                                                stream, scenario.valuation.antithetic_paths);
    const auto value_at = [&](const SiteRoom& at) {
      SiteChoice choice{at, offer, {}};
      FleetState here = state;
      here.spare_mw = at.site ? at.room : std::numeric_limits<double>::infinity();
      if (at.site) {
        choice.option.non_capital_site = !capital_node(*scenario.grid, at.site->node);
        if (at.site->pue) choice.option.pue = *at.site->pue;
        choice.option.power_price_factor = at.site->power_price_factor;
      }
      choice.decision = decide_fleet_expansion(here, choice.option, reach, policy, beliefs, paths,
                                               scenario.assumptions);
      return choice;
    };
    // Without a grid there are no sites: the GPUs go outside the capital region, unbounded.
    std::optional<SiteChoice> best, second;
    const std::vector<SiteRoom> sites = candidate_sites(world, agent.id);
    if (sites.empty()) best = value_at({});
    for (const SiteRoom& at : sites) {
      SiteChoice choice = value_at(at);
      if (!best || better_site(choice, *best)) {
        second = best;
        best = choice;
      } else if (!second || better_site(choice, *second)) {
        second = choice;
      }
    }
    if (second) {
      decision.next_best_site = second->at.site->id;
      decision.next_best_value_bn_krw =
          round_money(second->decision.plan.certainty_equivalent_bn_krw);
    }
    const SiteSpec* site = best->at.site;
    const ExpansionOption& option = best->option;
    const ExpansionDecision& chosen = best->decision;
    const bool non_capital = option.non_capital_site;
    decision.gpus = chosen.plan.gpus;
    decision.vendor = vendor_spec->agent;
    decision.generation = generation.id;
    decision.site = site ? site->id : "";
    decision.price_bn_krw = round_money(option.gpu_price_bn_krw);
    decision.capex_bn_krw = round_money(chosen.plan.capex_bn_krw);
    decision.tax_credit_bn_krw = round_money(chosen.plan.tax_credit_bn_krw);
    decision.certainty_equivalent_bn_krw = round_money(chosen.plan.certainty_equivalent_bn_krw);
    decision.expected_utilization = std::round(chosen.plan.expected_utilization * 1e4) / 1e4;
    if (std::isfinite(chosen.break_even_utilization))
      decision.break_even_utilization = std::round(chosen.break_even_utilization * 1e4) / 1e4;
    decision.binding = to_string(chosen.binding);
    decision.next_step_value_bn_krw = round_money(chosen.next_step.value_bn_krw);
    world.emit(agent.id, decision);
    if (chosen.plan.gpus <= 0) continue;

    fleet.gpus += chosen.plan.gpus;
    fleet.performance += generation.performance * static_cast<double>(chosen.plan.gpus);
    fleet.kw += generation.kw_per_gpu * static_cast<double>(chosen.plan.gpus);
    const std::string order = "fleet/" + agent.id + "/" + quarter_name(quarter);
    const std::string site_id = site ? site->id : "";
    const std::string region = non_capital ? "non_capital" : "capital";
    DeliveryPlan plan;
    plan.order = order;
    plan.owner = agent.id;
    plan.purpose = "fleet";
    plan.gpus = chosen.plan.gpus;
    plan.mw = chosen.plan.mw;
    // New load at a site that must first be built waits for the building.
    plan.built_at = Kernel::now() + (site ? site->build_days * seconds_per_day : 0.0);
    plan.site = site && chosen.plan.mw > 0 ? site : nullptr;
    plan.vendor = vendor_spec;
    plan.generation = generation.id;
    std::optional<std::string> grid_region;
    if (site) grid_region = node_region(*scenario.grid, site->node);
    // What the GPUs draw and where, for the instruments' costs: the shipped generation's power
    // and performance (the ordered one's if the vendor does not sell it), the site's PUE and
    // tariff share before the policy discount.
    const double tariff_share =
        site_power_factor(option.power_price_factor, non_capital, FleetInstruments{}, assumptions);
    // Its pods run there at the site's PUE and at the tariff share the fleet pays, the policy
    // discount included.
    const PowerSite where{
        site_id, option.pue,
        site_power_factor(option.power_price_factor, non_capital, instruments, assumptions),
        non_capital};
    plan.online = [&world, id = agent.id, order, site_id, region, grid_region, vendor_spec,
                   ordered = &generation, pue = option.pue, non_capital, tariff_share,
                   where](std::int64_t gpus, double mw, const std::string& generation_id) {
      events::FleetOnline online{order, gpus, mw, site_id, region, std::nullopt, grid_region};
      if (!generation_id.empty()) online.generation = generation_id;
      world.emit(id, online);
      const GpuGenerationSpec* shipped = nullptr;
      for (const GpuGenerationSpec& g : vendor_spec->generations)
        if (g.id == generation_id) shipped = &g;
      const double n = static_cast<double>(gpus);
      const double performance = shipped ? shipped->performance : ordered->performance;
      const double kw = shipped ? shipped->kw_per_gpu : ordered->kw_per_gpu;
      add_online(world.fleets[id].operation, performance * n, kw * n, pue, non_capital,
                 tariff_share);
      gpus_online(world, id, gpus, generation_id, id, where);
    };
    deliver(world, std::move(plan));
  }
  // The last part quarter, to the horizon.
  Kernel::sleep_until(world.kernel.horizon_time());
  if (Kernel::now() > accounted_to)
    account_instruments(world, agent, accounted_to, anchor_share, pool_seen);
}

}  // namespace tenderlab::detail
