// The fleet expansion decision (agents/src/fleet_expansion.cpp): break-even utilisations worked
// by hand, the decision's consistency with them, each bound, each public instrument, and input
// validation. Most cases are deterministic (no volatility, no price noise), so that a step's
// utilisation is known exactly and every expected number can be written down.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "tenderlab/agents/fleet_expansion.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/rng.hpp"

using namespace tenderlab;

namespace {

constexpr double hours = 8760;

/// Paths on which nothing moves: demand and the power price stay at their first-year level, the
/// price shock is zero. Several identical paths, so that averaging over paths is exercised.
MarketPaths flat_paths(int years, int count = 3) {
  MarketPaths paths;
  paths.paths = count;
  paths.years = years;
  const auto cells = static_cast<std::size_t>(count) * static_cast<std::size_t>(years);
  paths.demand.assign(cells, 1.0);
  paths.power.assign(cells, 1.0);
  paths.price.assign(cells, 0.0);
  paths.delay_uniform.assign(static_cast<std::size_t>(count), 0.5);
  return paths;
}

Beliefs certain_market() {
  Beliefs b;
  b.demand_growth = 0;
  b.demand_volatility = 0;
  b.power_price_volatility = 0;
  b.utilization_cap = 0.9;
  b.gpu_hour_price_krw = 8000;
  b.price_decline = 0.1;
  b.power_price_krw_per_kwh = 150;
  return b;
}

ProjectAssumptions certain_assumptions() {
  ProjectAssumptions a;
  a.price_noise = 0;
  return a;
}

/// A GPU like the existing ones (same power per unit of performance), so that a step's value is
/// exactly the step times one GPU's NPV at the step's utilisation.
ExpansionOption server_option() {
  ExpansionOption o;
  o.gpu_price_bn_krw = 0.1;
  o.performance = 1;
  o.kw_per_gpu = 1.9;
  o.pue = 1.3;
  o.vendor_allocation = 1000;
  o.life_years = 5;
  return o;
}

FleetState fleet_of(std::int64_t gpus, double demand_hours) {
  FleetState s;
  s.gpus = gpus;
  s.performance = 1;
  s.kw_per_gpu = 1.9;
  s.pue = 1.3;
  s.demand_gpu_hours_per_year = demand_hours;
  s.capital_bn_krw = 1e6;
  s.spare_mw = std::numeric_limits<double>::infinity();
  return s;
}

FleetPolicy gpu_by_gpu() {
  FleetPolicy p;
  p.max_capital_share_per_quarter = 1;
  p.hurdle_rate = 0.028;
  p.risk_aversion = 1;
  p.step_gpus = 1;
  return p;
}

struct Case {
  FleetState state = fleet_of(0, 0);
  ExpansionOption option = server_option();
  FleetInstruments instruments;
  FleetPolicy policy = gpu_by_gpu();
  Beliefs beliefs = certain_market();
  ProjectAssumptions assumptions = certain_assumptions();
  ExpansionDecision decide() const {
    return decide_fleet_expansion(state, option, instruments, policy, beliefs,
                                  flat_paths(option.life_years), assumptions);
  }
  double break_even() const {
    return break_even_utilization(option, instruments, policy.hurdle_rate, beliefs, assumptions);
  }
};

/// Customers' demand that fills `full` GPUs to the cap and one more to `last` of its hours.
double demand_for(double full, double last, double cap = 0.9) {
  return hours * (cap * full + last);
}

}  // namespace

TEST_CASE("break-even utilisation of a one-year GPU without tax, by hand") {
  // One GPU of 0.05 bn KRW, one year, 10 % hurdle, no tax, no residual value, no building.
  // Per hour: revenue 10,000 u KRW; power 1 kW x 1.25 PUE x 200 KRW/kWh x (0.2 + 0.8 u) =
  // 50 + 200 u KRW; O&M 0.04 x 0.05 = 0.002 bn KRW a year, paid with the year's revenue.
  //   NPV(u) = -0.05 + [8760 (10,000 u - 50 - 200 u) / 1e9 - 0.002] / 1.1 = 0
  //   <=> 8760 (9,800 u - 50) = 0.057e9  <=>  u* = (0.057e9 / 8760 + 50) / 9,800 = 0.669066
  ExpansionOption option;
  option.gpu_price_bn_krw = 0.05;
  option.kw_per_gpu = 1;
  option.pue = 1.25;
  option.life_years = 1;
  Beliefs beliefs = certain_market();
  beliefs.gpu_hour_price_krw = 10000;
  beliefs.power_price_krw_per_kwh = 200;
  ProjectAssumptions a = certain_assumptions();
  a.corporate_tax_rate = 0;
  a.idle_power_share = 0.2;
  a.om_share_of_capex = 0.04;
  a.gpu_residual_share = 0;
  const double u_star = break_even_utilization(option, {}, 0.1, beliefs, a);
  CHECK(u_star == Approx(0.6690663).epsilon(1e-6));

  // The same GPU valued by the fleet at u = 0.8 (a fleet of one whose customers buy 0.8 of its
  // hours): -0.05 + [8760 (7,840 - 50) / 1e9 - 0.002] / 1.1 = 0.0102185 bn KRW.
  FleetPolicy policy = gpu_by_gpu();
  policy.hurdle_rate = 0.1;
  const ExpansionValue v = value_fleet_expansion(fleet_of(0, 0.8 * hours), option, {}, policy,
                                                 beliefs, flat_paths(1), 1, a);
  CHECK(v.expected_npv_bn_krw == Approx(0.0102185).epsilon(1e-5));
  CHECK(v.certainty_equivalent_bn_krw == Approx(v.expected_npv_bn_krw));  // no risk
  CHECK(v.expected_utilization == Approx(0.8));
  CHECK(v.capex_bn_krw == Approx(0.05));
}

TEST_CASE("break-even utilisation with tax, depreciation, a building, residual and instruments") {
  // Two years; GPU 0.08 bn KRW, 2 kW x 1.5 PUE = 0.003 MW at 5 bn KRW/MW: building 0.015; capex
  // C = 0.095. Tax 25 %, GPUs depreciated over 2 years (0.04 a year), the building over 10
  // (0.0015): depreciation 0.0415 a year. Hurdle 10 %; ITC 10 %: 0.0095 at year 1.
  // Power outside the capital region: 150 KRW/kWh x (1 - 0.2 market) x (1 - 0.5 policy) = 60.
  // Full-load power 2 x 1.5 x 8760 kWh x 60 KRW = 0.0015768 bn KRW a year; idle share 0.25.
  // O&M 0.04 x 0.095 = 0.0038. Price 8000 KRW/h, then 6400 (20 % decline).
  //   year 1: EBITDA = 0.07008 u - 0.0015768 (0.25 + 0.75 u) - 0.0038 = 0.0688974 u - 0.0041942
  //   year 2: EBITDA = 0.056064 u - 0.0011826 u - 0.0041942          = 0.0548814 u - 0.0041942
  //   cash after tax = 0.75 EBITDA + 0.25 x 0.0415 (the shield, used by the group in any case)
  //   residual at year 2: 0.1 x 0.08 + 0.5 x 0.015 = 0.0155 against a book value of
  //   0.095 - 2 x 0.0415 = 0.012: 0.0155 - 0.25 x 0.0035 = 0.014625 after tax.
  //   beta  = 0.75 (0.0688974 / 1.1 + 0.0548814 / 1.21) = 0.0809929
  //   alpha = -0.095 + 0.0095 / 1.1 + (0.75 x -0.0041942 + 0.010375) / 1.1
  //           + (0.75 x -0.0041942 + 0.010375 + 0.014625) / 1.21 = -0.0617301
  //   u* = 0.0617301 / 0.0809929 = 0.762166
  ExpansionOption option;
  option.gpu_price_bn_krw = 0.08;
  option.kw_per_gpu = 2;
  option.pue = 1.5;
  option.build_cost_bn_krw_per_mw = 5;
  option.life_years = 2;
  option.non_capital_site = true;
  FleetInstruments instruments;
  instruments.investment_tax_credit = 0.1;
  instruments.non_capital_tariff_discount = 0.5;
  Beliefs beliefs = certain_market();
  beliefs.gpu_hour_price_krw = 8000;
  beliefs.price_decline = 0.2;
  beliefs.power_price_krw_per_kwh = 150;
  ProjectAssumptions a = certain_assumptions();
  a.corporate_tax_rate = 0.25;
  a.idle_power_share = 0.25;
  a.om_share_of_capex = 0.04;
  a.gpu_depreciation_years = 2;
  a.building_depreciation_years = 10;
  a.gpu_residual_share = 0.1;
  a.building_residual_share = 0.5;
  a.non_capital_power_discount = 0.2;
  CHECK(break_even_utilization(option, instruments, 0.1, beliefs, a) ==
        Approx(0.762166).epsilon(1e-5));

  // The fleet's value of that GPU at u = 0.8: alpha + 0.8 beta = 0.00306426 (from alpha and beta
  // before rounding: -0.06173005 + 0.8 x 0.08099290).
  FleetPolicy policy = gpu_by_gpu();
  policy.hurdle_rate = 0.1;
  const ExpansionValue v = value_fleet_expansion(fleet_of(0, 0.8 * hours), option, instruments,
                                                 policy, beliefs, flat_paths(2), 1, a);
  CHECK(v.expected_npv_bn_krw == Approx(0.00306426).epsilon(1e-5));
  CHECK(v.capex_bn_krw == Approx(0.095));
  CHECK(v.mw == Approx(0.003));
  CHECK(v.tax_credit_bn_krw == Approx(0.0095));
}

TEST_CASE("the first step is taken just above the break-even utilisation and not just below") {
  Case c;
  c.policy.step_gpus = 8;
  const double u_star = c.break_even();
  REQUIRE(u_star > 0.2);
  REQUIRE(u_star < 0.8);
  for (const std::int64_t existing : {0, 10}) {
    CAPTURE(existing);
    // The existing GPUs are full; the first step of 8 would sell u of its hours.
    c.state =
        fleet_of(existing, hours * (0.9 * static_cast<double>(existing) + 8 * (u_star + 0.01)));
    const ExpansionDecision above = c.decide();
    CHECK(above.break_even_utilization == Approx(u_star));
    CHECK(above.plan.gpus == 8);
    CHECK(above.last_step.expected_utilization == Approx(u_star + 0.01));
    CHECK(above.last_step.value_bn_krw > 0);
    CHECK(above.binding == ExpansionLimit::value);

    c.state.demand_gpu_hours_per_year =
        hours * (0.9 * static_cast<double>(existing) + 8 * (u_star - 0.01));
    const ExpansionDecision below = c.decide();
    CHECK(below.plan.gpus == 0);
    CHECK(below.next_step.expected_utilization == Approx(u_star - 0.01));
    CHECK(below.next_step.value_bn_krw < 0);
    CHECK(below.binding == ExpansionLimit::value);
    CHECK(below.plan.expected_npv_bn_krw == 0);
  }
}

TEST_CASE("expansion stops when the expected utilisation of the next step falls below break-even") {
  // Ten GPUs in service; customers fill twelve to the cap and a thirteenth to u of its hours:
  // the first two steps sell 0.9 of their hours, the third u, the fourth nothing.
  Case c;
  const double u_star = c.break_even();
  c.state = fleet_of(10, demand_for(12, u_star + 0.03));
  const ExpansionDecision above = c.decide();
  CHECK(above.plan.gpus == 3);
  CHECK(above.last_step.expected_utilization == Approx(u_star + 0.03));
  CHECK(above.last_step.expected_utilization > above.break_even_utilization);
  CHECK(above.next_step.expected_utilization == Approx(0).margin(1e-12));
  CHECK(above.binding == ExpansionLimit::value);

  c.state.demand_gpu_hours_per_year = demand_for(12, u_star - 0.03);
  const ExpansionDecision below = c.decide();
  CHECK(below.plan.gpus == 2);
  CHECK(below.last_step.expected_utilization == Approx(0.9));
  CHECK(below.next_step.expected_utilization == Approx(u_star - 0.03));
  CHECK(below.next_step.expected_utilization < below.break_even_utilization);
  CHECK(below.next_step.value_bn_krw < 0);
  // The fleet after the plan: demand (12 x 0.9 + u) / 12 GPUs, capped at 0.9.
  CHECK(below.plan.expected_utilization == Approx(0.9));
}

TEST_CASE("a step's value is the step times one GPU's NPV at the step's utilisation") {
  Case c;
  const double u = c.break_even() + 0.1;
  c.state = fleet_of(10, demand_for(12, u));
  const ExpansionDecision d = c.decide();
  REQUIRE(d.plan.gpus == 3);
  // The third step sells u of its hours: worth one GPU valued alone in a fleet of its own at u.
  const ExpansionValue alone =
      value_fleet_expansion(fleet_of(0, u * hours), c.option, c.instruments, c.policy, c.beliefs,
                            flat_paths(c.option.life_years), 1, c.assumptions);
  CHECK(d.last_step.from_gpus == 2);
  CHECK(d.last_step.value_bn_krw == Approx(alone.expected_npv_bn_krw));
  // The fourth sells nothing: worth one GPU standing idle.
  const ExpansionValue idle_alone =
      value_fleet_expansion(fleet_of(0, 0), c.option, c.instruments, c.policy, c.beliefs,
                            flat_paths(c.option.life_years), 1, c.assumptions);
  CHECK(d.next_step.value_bn_krw == Approx(idle_alone.expected_npv_bn_krw));
  // A fleet that is not full earns nothing from new capacity: the step only costs.
  c.state = fleet_of(10, demand_for(5, 0));
  const ExpansionDecision idle = c.decide();
  CHECK(idle.plan.gpus == 0);
  CHECK(idle.next_step.expected_utilization == Approx(0).margin(1e-12));
}

TEST_CASE("each bound binds in its own case") {
  // Customers for a thousand full GPUs: value never stops the plan.
  Case c;
  c.state = fleet_of(0, demand_for(1000, 0));
  SECTION("capital") {
    c.state.capital_bn_krw = 5.1;  // 50 % of it: 2.55 bn KRW, 25.5 GPUs of 0.1 bn KRW
    c.policy.max_capital_share_per_quarter = 0.5;
    const ExpansionDecision d = c.decide();
    CHECK(d.plan.gpus == 25);
    CHECK(d.plan.capex_bn_krw == Approx(2.5));
    CHECK(d.binding == ExpansionLimit::capital);
    CHECK(d.bound_gpus == 25);
    CHECK(d.next_step.value_bn_krw > 0);  // what the bound costs
    // In steps of a server of 8: three steps (24 GPUs), a fourth would need 3.2 bn KRW.
    c.policy.step_gpus = 8;
    const ExpansionDecision servers = c.decide();
    CHECK(servers.plan.gpus == 24);
    CHECK(servers.binding == ExpansionLimit::capital);
    // Exactly 25 GPUs' worth of budget allows all 25 despite rounding.
    c.policy.step_gpus = 1;
    c.state.capital_bn_krw = 5.0;
    CHECK(c.decide().plan.gpus == 25);
  }
  SECTION("vendor") {
    c.option.vendor_allocation = 7;
    const ExpansionDecision d = c.decide();
    CHECK(d.plan.gpus == 7);
    CHECK(d.binding == ExpansionLimit::vendor);
    CHECK(d.next_step.value_bn_krw > 0);
  }
  SECTION("grid") {
    // 1.9 kW x 1.3 PUE = 2.47 kW a GPU; 30 kW spare: 12.1 GPUs.
    c.state.spare_mw = 0.03;
    const ExpansionDecision d = c.decide();
    CHECK(d.plan.gpus == 12);
    CHECK(d.plan.mw == Approx(12 * 0.00247));
    CHECK(d.binding == ExpansionLimit::grid);
    CHECK(d.next_step.value_bn_krw > 0);
  }
  SECTION("a bound that would bind but the next step is worth nothing: value") {
    c.state = fleet_of(0, demand_for(7, 0));
    c.option.vendor_allocation = 7;
    const ExpansionDecision d = c.decide();
    CHECK(d.plan.gpus == 7);
    CHECK(d.binding == ExpansionLimit::value);
  }
  SECTION("no capital") {
    c.state.capital_bn_krw = 0;
    const ExpansionDecision d = c.decide();
    CHECK(d.plan.gpus == 0);
    CHECK(d.binding == ExpansionLimit::capital);
  }
}

TEST_CASE("the investment tax credit lowers break-even and raises the plan") {
  Case c;
  const double without = c.break_even();
  Case credited = c;
  credited.instruments.investment_tax_credit = 0.1;
  const double with = credited.break_even();
  REQUIRE(with < without - 0.02);
  // Two full GPUs' demand and a third between the two break-evens.
  c.state = credited.state = fleet_of(0, demand_for(2, 0.5 * (with + without)));
  CHECK(c.decide().plan.gpus == 2);
  const ExpansionDecision d = credited.decide();
  CHECK(d.plan.gpus == 3);
  CHECK(d.plan.tax_credit_bn_krw == Approx(0.1 * 3 * 0.1));
}

TEST_CASE("the non-capital tariff discount lowers break-even and raises the plan") {
  Case c;
  c.option.non_capital_site = true;
  const double without = c.break_even();
  Case discounted = c;
  discounted.instruments.non_capital_tariff_discount = 0.5;
  const double with = discounted.break_even();
  REQUIRE(with < without - 0.01);
  c.state = discounted.state = fleet_of(0, demand_for(2, 0.5 * (with + without)));
  CHECK(c.decide().plan.gpus == 2);
  CHECK(discounted.decide().plan.gpus == 3);
  // The discount is for sites outside the capital region only.
  Case capital = discounted;
  capital.option.non_capital_site = false;
  Case capital_without = capital;
  capital_without.instruments.non_capital_tariff_discount = 0;
  CHECK(capital.break_even() == capital_without.break_even());
}

TEST_CASE("a site's own tariff replaces the market's regional one, under the policy discount") {
  Case market;
  market.option.non_capital_site = true;
  market.assumptions.non_capital_power_discount = 0.25;
  market.instruments.non_capital_tariff_discount = 0.5;
  // A site that states the market's own share (0.75 outside the capital region) changes nothing.
  Case stated = market;
  stated.option.power_price_factor = 0.75;
  CHECK(stated.break_even() == Approx(market.break_even()).epsilon(1e-12));
  // A cheaper site breaks even lower and, with demand between the two, buys one GPU more; the
  // policy discount still halves what it pays outside the capital region.
  Case cheap = market;
  cheap.option.power_price_factor = 0.1;
  const double low = cheap.break_even();
  REQUIRE(low < market.break_even() - 0.005);
  Case undiscounted = cheap;
  undiscounted.instruments.non_capital_tariff_discount = 0;
  CHECK(undiscounted.break_even() > low);
  market.state = cheap.state = fleet_of(0, demand_for(2, 0.5 * (low + market.break_even())));
  CHECK(market.decide().plan.gpus == 2);
  CHECK(cheap.decide().plan.gpus == 3);
  // In the capital region a site's factor is all it pays: a dearer one breaks even higher, and
  // no policy discount applies.
  Case capital;
  Case dear = capital;
  dear.option.power_price_factor = 1.5;
  CHECK(dear.break_even() > capital.break_even() + 0.01);
  Case dear_discounted = dear;
  dear_discounted.instruments.non_capital_tariff_discount = 0.5;
  CHECK(dear_discounted.break_even() == dear.break_even());
}

TEST_CASE("anchor demand fills the fleet first and raises the plan") {
  Case c;
  const double u_star = c.break_even();
  // Customers fill two GPUs and a third to less than break-even: two GPUs.
  c.state = fleet_of(0, demand_for(2, u_star - 0.1));
  CHECK(c.decide().plan.gpus == 2);
  // The state buys one full GPU's hours a year for the whole life: served first, it pushes the
  // customers onto a third full GPU and the partial one becomes the fourth.
  Case anchored = c;
  anchored.instruments.anchor_gpu_hours_per_year = 0.9 * hours;
  anchored.instruments.anchor_price_krw = 6000;
  anchored.instruments.anchor_years = c.option.life_years;
  const ExpansionDecision d = anchored.decide();
  CHECK(d.plan.gpus == 3);
  CHECK(d.break_even_utilization == Approx(u_star));  // it does not price a new GPU's hours
  // Served first, even a free anchor only takes capacity: the customers it displaces still pay the
  // market price on the new GPUs, so the plan is the same.
  anchored.instruments.anchor_price_krw = 0;
  CHECK(anchored.decide().plan.gpus == 3);
  // An anchor that ended before the GPUs arrive changes nothing.
  anchored.instruments.anchor_years = 0;
  CHECK(anchored.decide().plan.gpus == 2);
}

TEST_CASE("more existing GPUs for the same demand lower the plan") {
  Case c;
  c.state = fleet_of(10, demand_for(20, 0));
  const ExpansionDecision small = c.decide();
  c.state.gpus = 15;
  const ExpansionDecision large = c.decide();
  CHECK(small.plan.gpus == 10);
  CHECK(large.plan.gpus == 5);
  // Retiring GPUs free demand for new ones: half the fleet gone each year from the second.
  c.state.retirement_per_year = 0.5;
  CHECK(c.decide().plan.gpus > large.plan.gpus);
}

TEST_CASE("new GPUs outside the capital region sell only the demand today's GPUs leave them") {
  // Ten GPUs today; customers for twenty full GPUs, of whom a share only the capital region
  // serves. In the capital region the plan is ten, whatever that share.
  Case c;
  c.state = fleet_of(10, demand_for(20, 0));
  c.state.remote_demand_discount = 0.75;
  CHECK(c.decide().plan.gpus == 10);
  // Outside it, today's GPUs serve the capital-only customers first: at a share of 0.25 they are
  // 5 full GPUs' worth, which today's 10 cover, and the new GPUs still sell 10 GPUs' worth.
  c.option.non_capital_site = true;
  c.state.remote_demand_discount = 0.25;
  CHECK(c.decide().plan.gpus == 10);
  // At 0.75 they are 15 full GPUs' worth: today's 10 serve 10 of them, 5 are lost to this site,
  // and the new GPUs sell the other 5 customers' GPUs' worth: a plan of five.
  c.state.remote_demand_discount = 0.75;
  const ExpansionDecision remote = c.decide();
  CHECK(remote.plan.gpus == 5);
  CHECK(remote.next_step.expected_utilization == Approx(0).margin(1e-9));
  // By hand: five new GPUs, each selling its full 0.9, add 5 x 0.9 x 8760 hours a year; the whole
  // fleet of 15 then sells 15 x 0.9 x 8760, all its capacity allows.
  CHECK(remote.plan.expected_utilization == Approx(0.9));
  // A fleet that runs outside the capital region today serves its customers from there already:
  // none of them is lost to a new site outside it.
  c.state.non_capital_site = true;
  CHECK(c.decide().plan.gpus == 10);
  c.state.non_capital_site = false;
  // The share a site loses never changes what today's GPUs sell: with none served remotely at
  // all, no plan pays and the fleet's own value is the same as without an option.
  c.state.remote_demand_discount = 1;
  const ExpansionDecision none = c.decide();
  CHECK(none.plan.gpus == 0);
  CHECK(none.next_step.expected_utilization == Approx(0).margin(1e-9));
  const ExpansionValue idle =
      value_fleet_expansion(c.state, c.option, c.instruments, c.policy, c.beliefs,
                            flat_paths(c.option.life_years), 0, c.assumptions);
  CHECK(idle.expected_npv_bn_krw == 0);
  CHECK(idle.expected_utilization == Approx(0.9));
}

TEST_CASE("risk: certainty equivalent below the mean, more risk aversion never a larger plan") {
  Beliefs beliefs = certain_market();
  beliefs.demand_growth = 0.1;
  beliefs.demand_volatility = 0.3;
  beliefs.power_price_volatility = 0.1;
  Rng rng(7, 0, "fleet-test");
  const MarketPaths paths = draw_market_paths(beliefs, 400, 5, rng);
  ProjectAssumptions a;  // with price noise
  const FleetState state = fleet_of(20, demand_for(22, 0));
  std::int64_t previous = std::numeric_limits<std::int64_t>::max();
  double previous_ce = std::numeric_limits<double>::infinity();
  for (const double aversion : {0.0, 1.0, 5.0, 20.0}) {
    CAPTURE(aversion);
    FleetPolicy policy = gpu_by_gpu();
    policy.risk_aversion = aversion;
    const ExpansionDecision d =
        decide_fleet_expansion(state, server_option(), {}, policy, beliefs, paths, a);
    CHECK(d.plan.gpus <= previous);
    if (aversion == 0) CHECK(d.plan.gpus > 0);
    const ExpansionValue fixed =
        value_fleet_expansion(state, server_option(), {}, policy, beliefs, paths, 5, a);
    CHECK(fixed.certainty_equivalent_bn_krw <= fixed.expected_npv_bn_krw + 1e-12);
    CHECK(fixed.certainty_equivalent_bn_krw <= previous_ce + 1e-12);
    CHECK(fixed.npv_sd_bn_krw > 0);
    previous = d.plan.gpus;
    previous_ce = fixed.certainty_equivalent_bn_krw;
  }
  // Pure: the same inputs give the same decision.
  const ExpansionDecision once =
      decide_fleet_expansion(state, server_option(), {}, gpu_by_gpu(), beliefs, paths, a);
  const ExpansionDecision twice =
      decide_fleet_expansion(state, server_option(), {}, gpu_by_gpu(), beliefs, paths, a);
  CHECK(once.plan.gpus == twice.plan.gpus);
  CHECK(once.plan.certainty_equivalent_bn_krw == twice.plan.certainty_equivalent_bn_krw);
}

TEST_CASE("risk is priced relative to the quarter's budget, by hand on two paths") {
  // Two equally likely paths: customers for twenty full GPUs, or none. Each plan's certainty
  // equivalent is -ln((exp(-a g1) + exp(-a g2)) / 2) / a with a = risk_aversion / budget:
  // 2 / (0.5 x 10 bn KRW) = 0.4 per bn KRW, the same for every plan.
  Case c;
  c.state = fleet_of(0, demand_for(20, 0));
  c.state.capital_bn_krw = 10;
  c.policy.max_capital_share_per_quarter = 0.5;
  c.policy.risk_aversion = 2;
  MarketPaths two = flat_paths(c.option.life_years, 2);
  for (int y = 0; y < two.years; ++y)
    two.demand[static_cast<std::size_t>(two.years + y)] = 0;  // the second path: no customers
  auto on = [&](const MarketPaths& paths, std::int64_t gpus) {
    return value_fleet_expansion(c.state, c.option, c.instruments, c.policy, c.beliefs, paths, gpus,
                                 c.assumptions);
  };
  MarketPaths busy = flat_paths(c.option.life_years, 1);
  MarketPaths idle = busy;
  idle.demand.assign(idle.demand.size(), 0.0);
  for (const std::int64_t gpus : {4, 20}) {
    CAPTURE(gpus);
    const double g1 = on(busy, gpus).expected_npv_bn_krw;
    const double g2 = on(idle, gpus).expected_npv_bn_krw;
    REQUIRE(g1 > 0);
    REQUIRE(g2 < 0);
    const double a = 0.4;
    const double by_hand = -std::log((std::exp(-a * g1) + std::exp(-a * g2)) / 2) / a;
    const ExpansionValue v = on(two, gpus);
    CHECK(v.expected_npv_bn_krw == Approx((g1 + g2) / 2));
    CHECK(v.certainty_equivalent_bn_krw == Approx(by_hand));
  }
}

TEST_CASE("price noise is mean-one: on average it leaves the value of a sold hour unchanged") {
  // Antithetic pairs (z, -z) make the sample mean of exp(0.3 z) - 1 small; without the
  // mean-one correction exp(-0.3^2 / 2) the prices would average 4.6 % above the trend.
  Case c;
  c.state = fleet_of(0, 0.5 * hours);
  c.policy.risk_aversion = 0;
  Rng rng(11, 0, "fleet-noise");
  const MarketPaths noisy = draw_market_paths(c.beliefs, 4000, c.option.life_years, rng, true);
  ProjectAssumptions with_noise = c.assumptions;
  with_noise.price_noise = 0.3;
  const ExpansionValue certain =
      value_fleet_expansion(c.state, c.option, c.instruments, c.policy, c.beliefs,
                            flat_paths(c.option.life_years), 1, c.assumptions);
  const ExpansionValue uncertain = value_fleet_expansion(c.state, c.option, c.instruments, c.policy,
                                                         c.beliefs, noisy, 1, with_noise);
  // The revenue's present value: 0.5 x 8760 h x 8000 KRW x 0.736 after tax, over five years
  // falling 10 % a year at 2.8 %: about 0.1 bn KRW. 4.6 % of it would be 0.0046.
  CHECK(uncertain.expected_npv_bn_krw == Approx(certain.expected_npv_bn_krw).margin(0.001));
  CHECK(uncertain.npv_sd_bn_krw > 0);
}

TEST_CASE("GPUs that draw much less power can pay in a fleet that is not full") {
  // The fleet's load spreads over every GPU, so efficient new GPUs take load off power-hungry
  // old ones. Ten 20 kW GPUs half used; new GPUs of 0.5 kW at 0.01 bn KRW. The fleet already
  // serves all demand before the first step: the scan must not stop there.
  Case c;
  c.state = fleet_of(10, 5 * hours);
  c.state.kw_per_gpu = 20;
  c.option.gpu_price_bn_krw = 0.01;
  c.option.kw_per_gpu = 0.5;
  const ExpansionDecision d = c.decide();
  CHECK(d.plan.gpus > 1);
  CHECK(d.plan.expected_npv_bn_krw > 0);
  CHECK(d.last_step.expected_utilization == Approx(0).margin(1e-12));  // it sells nothing more
  CHECK(d.next_step.value_bn_krw <= 0);
  CHECK(d.binding == ExpansionLimit::value);
}

TEST_CASE("the scan finds the best plan within the bounds, also where value is not concave") {
  // Random fleets, options, instruments and markets; the decision against every plan of whole
  // steps within the bounds, each valued on its own.
  Rng draw(5, 0, "fleet-exhaustive");
  int interior = 0;
  for (int k = 0; k < 150; ++k) {
    CAPTURE(k);
    Beliefs b;
    b.demand_growth = draw.uniform(-0.1, 0.4);
    b.demand_volatility = draw.uniform(0, 0.5);
    b.gpu_hour_price_krw = draw.uniform(2000, 12000);
    b.price_decline = draw.uniform(0, 0.3);
    b.utilization_cap = draw.uniform(0.6, 1.0);
    b.power_price_krw_per_kwh = draw.uniform(50, 400);
    ProjectAssumptions a;
    a.idle_power_share = draw.uniform(0, 0.6);
    FleetState s = fleet_of(static_cast<std::int64_t>(draw.below(40)), hours * draw.uniform(0, 60));
    s.kw_per_gpu = draw.uniform(0.3, 10);
    s.retirement_per_year = draw.uniform(0, 0.3);
    s.capital_bn_krw = draw.uniform(0, 20);
    s.spare_mw = draw.uniform(0, 0.3);
    ExpansionOption o = server_option();
    o.gpu_price_bn_krw = draw.uniform(0.01, 0.15);
    o.kw_per_gpu = draw.uniform(0.3, 3);
    o.vendor_allocation = static_cast<std::int64_t>(draw.below(80));
    o.life_years = 1 + static_cast<int>(draw.below(6));
    o.non_capital_site = draw.uniform() < 0.5;
    FleetInstruments i;
    i.investment_tax_credit = draw.uniform(0, 0.3);
    i.non_capital_tariff_discount = draw.uniform(0, 0.5);
    i.anchor_gpu_hours_per_year = hours * draw.uniform(0, 30);
    i.anchor_price_krw = draw.uniform(0, 12000);  // often below the market: not concave
    i.anchor_years = static_cast<int>(draw.below(7));
    FleetPolicy p = gpu_by_gpu();
    p.max_capital_share_per_quarter = draw.uniform(0, 1);
    p.risk_aversion = draw.uniform(0, 5);
    p.step_gpus = 1 + static_cast<std::int64_t>(draw.below(8));
    const MarketPaths paths = draw_market_paths(b, 40, o.life_years, draw);
    const ExpansionDecision d = decide_fleet_expansion(s, o, i, p, b, paths, a);
    double best = 0;
    for (std::int64_t n = p.step_gpus; n <= d.bound_gpus; n += p.step_gpus)
      best = std::max(
          best, value_fleet_expansion(s, o, i, p, b, paths, n, a).certainty_equivalent_bn_krw);
    CHECK(d.plan.certainty_equivalent_bn_krw == Approx(best).margin(1e-12));
    CHECK(d.plan.gpus <= d.bound_gpus);
    if (d.plan.gpus > 0 && d.plan.gpus < d.bound_gpus) ++interior;
  }
  CHECK(interior > 20);  // the cases exercise plans that value, not a bound, stopped
}

TEST_CASE("a GPU that cannot earn its power never breaks even") {
  Case c;
  c.beliefs.gpu_hour_price_krw = 100;  // below the 2.47 kWh x 150 KRW an hour of full load
  CHECK(std::isinf(c.break_even()));
  c.state = fleet_of(0, demand_for(10, 0));
  CHECK(c.decide().plan.gpus == 0);
}

TEST_CASE("invalid inputs are model errors") {
  Case c;
  c.state = fleet_of(0, demand_for(3, 0));
  auto fails = [](Case bad) { CHECK_THROWS_AS(bad.decide(), ModelError); };
  Case bad = c;
  bad.state.gpus = -1;
  fails(bad);
  bad = c;
  bad.state.demand_gpu_hours_per_year = -1;
  fails(bad);
  bad = c;
  bad.state.capital_bn_krw = -1;
  fails(bad);
  bad = c;
  bad.state.spare_mw = -0.1;
  fails(bad);
  bad = c;
  bad.state.spare_mw = std::nan("");
  fails(bad);
  bad = c;
  bad.state.retirement_per_year = 1.5;
  fails(bad);
  bad = c;
  bad.state.remote_demand_discount = 1.2;
  fails(bad);
  bad = c;
  bad.option.gpu_price_bn_krw = 0;
  fails(bad);
  bad = c;
  bad.option.vendor_allocation = -8;
  fails(bad);
  bad = c;
  bad.option.kw_per_gpu = -1;
  fails(bad);
  bad = c;
  bad.option.pue = 0.9;
  fails(bad);
  bad = c;
  bad.option.build_cost_bn_krw_per_mw = -1;
  fails(bad);
  bad = c;
  bad.policy.step_gpus = 0;
  fails(bad);
  bad = c;
  bad.policy.risk_aversion = -1;
  fails(bad);
  bad = c;
  bad.policy.hurdle_rate = -0.01;
  fails(bad);
  bad = c;
  bad.policy.max_capital_share_per_quarter = 1.1;
  fails(bad);
  bad = c;
  bad.instruments.investment_tax_credit = -0.1;
  fails(bad);
  bad = c;
  bad.instruments.anchor_gpu_hours_per_year = -1;
  fails(bad);
  bad = c;
  bad.instruments.anchor_years = -1;
  fails(bad);
  bad = c;
  bad.beliefs.utilization_cap = 0;
  fails(bad);
  bad = c;
  bad.beliefs.utilization_cap = 1.2;
  fails(bad);
  bad = c;
  bad.beliefs.gpu_hour_price_krw = std::numeric_limits<double>::quiet_NaN();
  fails(bad);
  bad = c;
  bad.assumptions.idle_power_share = -0.1;
  fails(bad);
  // Life 0: checked before the paths, so the error is the life's.
  bad = c;
  bad.option.life_years = 0;
  CHECK_THROWS_WITH(bad.decide(), Catch::Contains("life_years"));
  // Paths shorter than the GPUs' life.
  CHECK_THROWS_AS(decide_fleet_expansion(c.state, c.option, c.instruments, c.policy, c.beliefs,
                                         flat_paths(c.option.life_years - 1), c.assumptions),
                  ModelError);
  CHECK_THROWS_AS(value_fleet_expansion(c.state, c.option, c.instruments, c.policy, c.beliefs,
                                        flat_paths(c.option.life_years), -1, c.assumptions),
                  ModelError);
  CHECK_THROWS_AS(break_even_utilization(c.option, c.instruments, -1, c.beliefs, c.assumptions),
                  ModelError);
  // The valid case itself decides.
  CHECK_NOTHROW(c.decide());
}

TEST_CASE("what the fleet instruments cost over a period, by hand") {
  FleetInstruments instruments;
  instruments.anchor_gpu_hours_per_year = 1;  // only the price and the discount are read
  instruments.anchor_price_krw = 6000;
  instruments.non_capital_tariff_discount = 0.05;
  ProjectAssumptions a;
  a.idle_power_share = 0.3;
  FleetPeriod period;
  period.capacity_gpu_hours = 1000;
  period.outside_full_load_kwh = 2000;
  period.outside_tariff_kwh = 1900;  // a tariff share of 0.95

  SECTION("the anchor is served first, the customers take what is left up to the cap") {
    period.anchor_gpu_hours = 300;
    period.demand_gpu_hours = 400;
    const FleetInstrumentCost cost = fleet_instrument_cost(period, instruments, 0.9, 182.7, a);
    CHECK(cost.anchor_gpu_hours == Approx(300));
    CHECK(cost.anchor_bn_krw == Approx(300 * 6000 / 1e9));
    CHECK(cost.utilization == Approx(0.7));
    // Power between idle (0.3) and full load: 0.3 + 0.7 x 0.7 = 0.79 of full load.
    CHECK(cost.outside_kwh == Approx(2000 * 0.79));
    CHECK(cost.tariff_discount_bn_krw == Approx(1900 * 0.79 * 182.7 * 0.05 / 1e9));
    period.demand_gpu_hours = 800;  // more than the 600 left under the cap
    CHECK(fleet_instrument_cost(period, instruments, 0.9, 182.7, a).utilization == Approx(0.9));
  }
  SECTION("the state buys no more than the fleet can sell") {
    period.anchor_gpu_hours = 1200;
    const FleetInstrumentCost cost = fleet_instrument_cost(period, instruments, 0.9, 182.7, a);
    CHECK(cost.anchor_gpu_hours == Approx(900));
    CHECK(cost.anchor_bn_krw == Approx(900 * 6000 / 1e9));
    CHECK(cost.utilization == Approx(0.9));
  }
  SECTION("a measured utilisation replaces the customers' demand, the anchor on top, at most 1") {
    period.anchor_gpu_hours = 300;
    period.demand_gpu_hours = 0;
    period.measured_utilization = 0.5;
    CHECK(fleet_instrument_cost(period, instruments, 0.9, 182.7, a).utilization == Approx(0.8));
    period.measured_utilization = 0.85;
    CHECK(fleet_instrument_cost(period, instruments, 0.9, 182.7, a).utilization == Approx(1.0));
  }
  SECTION("no discount, no GPUs outside the capital region, no capacity: nothing to pay") {
    FleetInstruments none = instruments;
    none.non_capital_tariff_discount = 0;
    period.demand_gpu_hours = 500;
    CHECK(fleet_instrument_cost(period, none, 0.9, 182.7, a).tariff_discount_bn_krw == 0);
    FleetPeriod inside = period;
    inside.outside_full_load_kwh = inside.outside_tariff_kwh = 0;
    CHECK(fleet_instrument_cost(inside, instruments, 0.9, 182.7, a).tariff_discount_bn_krw == 0);
    FleetPeriod empty;
    empty.anchor_gpu_hours = 100;
    const FleetInstrumentCost cost = fleet_instrument_cost(empty, instruments, 0.9, 182.7, a);
    CHECK(cost.anchor_gpu_hours == 0);
    CHECK(cost.utilization == 0);
  }
  SECTION("negative inputs are model errors") {
    period.demand_gpu_hours = -1;
    CHECK_THROWS_AS(fleet_instrument_cost(period, instruments, 0.9, 182.7, a), ModelError);
    period.demand_gpu_hours = 0;
    CHECK_THROWS_AS(fleet_instrument_cost(period, instruments, 0.9, -1, a), ModelError);
    period.measured_utilization = 1.5;
    CHECK_THROWS_AS(fleet_instrument_cost(period, instruments, 0.9, 182.7, a), ModelError);
  }
}
