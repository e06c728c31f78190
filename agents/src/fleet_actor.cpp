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

/// Whether the owner's GPUs of today count as outside the capital region (for their tariff): where
/// most of its own sites are, the capital region on a tie; outside it without a grid, as every
/// site is then.
bool fleet_outside_capital(const World& world, const std::string& owner) {
  if (!world.grid) return true;
  int outside = 0, inside = 0;
  for (const SiteSpec& site : world.scenario.sites)
    if (site.owner == owner) ++(capital_node(*world.scenario.grid, site.node) ? inside : outside);
  return outside > inside;
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

}  // namespace

void run_fleet(World& world, const AgentSpec& agent) {
  const Scenario& scenario = world.scenario;
  const FleetSpec& spec = *agent.fleet;
  const FleetInstruments& instruments = scenario.programme.fleet_instruments;
  double total_demand = 0;  // the anchor is shared in proportion to the fleets' demand
  for (const AgentSpec& a : scenario.agents)
    if (a.fleet) total_demand += a.fleet->demand_gpu_hours_per_year;
  for (Date quarter = quarter_start(quarter_of(scenario.start) + 1); !(scenario.horizon < quarter);
       quarter = quarter_start(quarter_of(quarter) + 1)) {
    Kernel::sleep_until(world.time_of(quarter));
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
    reach.anchor_gpu_hours_per_year =
        total_demand > 0
            ? instruments.anchor_gpu_hours_per_year * spec.demand_gpu_hours_per_year / total_demand
            : 0;
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
    plan.online = [&world, id = agent.id, order, site_id, region, grid_region](
                      std::int64_t gpus, double mw, const std::string& generation_id) {
      events::FleetOnline online{order, gpus, mw, site_id, region, std::nullopt, grid_region};
      if (!generation_id.empty()) online.generation = generation_id;
      world.emit(id, online);
      gpus_online(world, id, gpus, generation_id, id);
    };
    deliver(world, std::move(plan));
  }
}

}  // namespace tenderlab::detail
