#pragma once
// A private GPU fleet's quarterly expansion decision: how many GPUs a cloud provider or telco adds
// to its own fleet outside any public call, valued on the agent's own market paths.
//
// Pure functions, no engine and no I/O: the caller draws the paths from the agent's own stream
// (draw_market_paths), so the decision is a function of its arguments alone. The expansion is
// valued on the company's balance sheet (group taxation, equity-financed, no lender), unlike the
// SPC of valuation.hpp. docs/model/fleet-expansion.md derives every formula.
//
// Units: money in bn KRW, prices in KRW. Demand and capacity are in reference-GPU-hours: hours of
// the GPU that Beliefs::gpu_hour_price_krw is quoted for; a GPU of performance 2 sells two
// reference-GPU-hours in each hour it is busy.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "tenderlab/agents/valuation.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

/// The agent's fleet and means when it decides.
struct FleetState {
  std::int64_t gpus = 0;          ///< GPUs in operation
  double performance = 1.0;       ///< of one of them, in reference GPUs
  double kw_per_gpu = 1.9;        ///< all-in IT power of one of them (kW)
  double pue = 1.3;               ///< power usage effectiveness of their site
  bool non_capital_site = false;  ///< they draw their power outside the capital region
  /// Share of today's GPUs retired each year, straight line (0: the fleet stays as it is over the
  /// new GPUs' life).
  double retirement_per_year = 0;
  /// What the agent's customers would buy this year at the trend price (reference-GPU-hours/yr);
  /// it grows along the paths' demand multipliers.
  double demand_gpu_hours_per_year = 0;
  double capital_bn_krw = 0;  ///< capital the agent can invest
  double spare_mw = 0;        ///< grid connection it holds spare at the option's site (MW)
  /// Share of the customers' demand that only GPUs in the capital region serve (latency, their
  /// own sites): new GPUs outside the capital region cannot sell it, today's GPUs can. Only for a
  /// fleet in the capital region today (non_capital_site false): one outside it has no such
  /// customers.
  double remote_demand_discount = 0;
};

/// The GPUs on offer this quarter and where they would go.
struct ExpansionOption {
  double gpu_price_bn_krw = 0.1;       ///< all-in price of one GPU (1 억원 = 0.1)
  double performance = 1.0;            ///< of one GPU, in reference GPUs
  double kw_per_gpu = 1.9;             ///< all-in IT power per GPU (kW)
  double pue = 1.3;                    ///< power usage effectiveness of the site
  std::int64_t vendor_allocation = 0;  ///< most GPUs the vendor will deliver this quarter
  int life_years = 5;                  ///< economic life of the GPUs
  /// Building and facilities per MW of IT load the new GPUs need; 0 when the site has room.
  double build_cost_bn_krw_per_mw = 0;
  bool non_capital_site = false;  ///< the site is outside the capital region
  /// The site's tariff as a share of the market's before the policy discount; empty: the
  /// market's (1 inside the capital region, 1 - non_capital_power_discount outside).
  std::optional<double> power_price_factor;
};

// The public instruments are FleetInstruments (scenario.hpp), passed as they reach this agent: its
// share of the anchor GPU-hours (served before its own customers, whether or not it expands, at a
// fixed price) and the anchor years left from the decision. The non-capital tariff discount comes
// on top of the market's (ProjectAssumptions::non_capital_power_discount).

/// How the agent decides.
struct FleetPolicy {
  double max_capital_share_per_quarter = 0.1;  ///< share of its capital it commits in one quarter
  /// Rate the company discounts the expansion's cash flows at (1/yr). With risk priced through
  /// risk_aversion this is the risk-free rate; a risk-adjusted hurdle and risk_aversion > 0
  /// together count risk twice.
  double hurdle_rate = 0.028;
  /// Relative to the quarter's budget: absolute risk aversion = this / max(budget, one step's
  /// capex), budget = max_capital_share_per_quarter x capital. One utility for every plan compared;
  /// a plan that commits the whole budget is judged as valuation.hpp judges a project of that
  /// stake.
  double risk_aversion = 1.0;
  std::int64_t step_gpus = 8;  ///< the plan grows in steps of this many GPUs (a server)
};

/// What stopped the expansion.
enum class ExpansionLimit { value, capital, vendor, grid };
inline constexpr std::array<std::string_view, 4> expansion_limit_names = {"value", "capital",
                                                                          "vendor", "grid"};
const char* to_string(ExpansionLimit limit);

/// One step of a plan, from `from_gpus` new GPUs to `to_gpus`.
struct ExpansionStep {
  std::int64_t from_gpus = 0;
  std::int64_t to_gpus = 0;
  /// bn KRW: certainty equivalent of the larger plan less that of the smaller.
  double value_bn_krw = 0;
  /// Expected share of the step's capacity that is sold: the extra reference-GPU-hours served,
  /// over the step's reference-GPU-hours, mean over paths and years.
  double expected_utilization = 0;
};

/// A plan of `gpus` new GPUs, valued against adding none: the fleet with them less the fleet
/// without, path by path (the utilisation they take from the existing GPUs counts against them).
struct ExpansionValue {
  std::int64_t gpus = 0;
  double capex_bn_krw = 0;       ///< GPUs and building, paid at the decision
  double mw = 0;                 ///< grid connection the new GPUs draw at full load (MW)
  double tax_credit_bn_krw = 0;  ///< investment tax credit earned, at face value
  double expected_npv_bn_krw = 0;
  double npv_sd_bn_krw = 0;
  /// Of the NPV over the paths, at the risk aversion of FleetPolicy::risk_aversion.
  double certainty_equivalent_bn_krw = 0;
  double expected_utilization = 0;  ///< of the whole fleet with the new GPUs, mean over paths/years
};

struct ExpansionDecision {
  ExpansionValue plan;  ///< the GPUs chosen (plan.gpus, a multiple of the step; may be 0)
  /// The last step of the plan (from plan.gpus - step); all zero when the plan is none.
  ExpansionStep last_step;
  /// The step beyond the plan, valued even when a bound forbids it: when a bound binds, its value
  /// (> 0) is what that bound costs the agent; when value stopped the expansion it is <= 0.
  ExpansionStep next_step;
  /// The constant utilisation at which one new GPU's NPV is zero on the trend
  /// (break_even_utilization()).
  double break_even_utilization = 0;
  std::int64_t bound_gpus = 0;  ///< the largest plan capital, vendor and grid allow together
  /// A bound when the plan is at bound_gpus and the step beyond it would add value (the tightest
  /// bound: fewest whole steps, then fewest GPUs, then capital before vendor before grid);
  /// otherwise value.
  ExpansionLimit binding = ExpansionLimit::value;
};

/// The value of adding `gpus` GPUs to the fleet, on `paths` (drawn from the agent's beliefs, at
/// least option.life_years years), as decide_fleet_expansion() values each plan. Ignores the
/// bounds. Throws ModelError on invalid inputs.
ExpansionValue value_fleet_expansion(const FleetState& state, const ExpansionOption& option,
                                     const FleetInstruments& instruments, const FleetPolicy& policy,
                                     const Beliefs& beliefs, const MarketPaths& paths,
                                     std::int64_t gpus, const ProjectAssumptions& assumptions = {});

/// The quarter's decision: among plans of whole steps that capital (capex within
/// max_capital_share_per_quarter of capital), the vendor's allocation and the spare grid connection
/// allow, the one with the highest certainty equivalent (the smallest of equals; none when no plan
/// is worth more than nothing). Where value falls with every step, as it does when every GPU added
/// sells less than the one before, that is the largest plan whose last step still adds value.
/// Throws ModelError on invalid inputs.
ExpansionDecision decide_fleet_expansion(const FleetState& state, const ExpansionOption& option,
                                         const FleetInstruments& instruments,
                                         const FleetPolicy& policy, const Beliefs& beliefs,
                                         const MarketPaths& paths,
                                         const ProjectAssumptions& assumptions = {});

/// The constant utilisation u at which one new GPU, selling u of its hours at the trend price
/// of `beliefs` and paying the trend tariff, has an NPV of zero at `hurdle_rate` (the NPV is
/// affine in u, so this is closed form). Infinity when even a fully used GPU does not earn its
/// power. May exceed 1 (the GPU never pays) or fall below 0 (it pays idle). The anchor does not
/// enter: it fills the fleet, it does not price a new GPU's hours.
double break_even_utilization(const ExpansionOption& option, const FleetInstruments& instruments,
                              double hurdle_rate, const Beliefs& beliefs,
                              const ProjectAssumptions& assumptions = {});

/// The share of the market's tariff a site pays per kWh: the site's own share if it has one (else
/// 1 - non_capital_power_discount outside the capital region, 1 inside), then the policy's
/// non_capital_tariff_discount off what is left outside the capital region.
double site_power_factor(std::optional<double> site_factor, bool non_capital,
                         const FleetInstruments& instruments,
                         const ProjectAssumptions& assumptions);

/// One fleet's operation over a period (a quarter), as the fleet instruments' costs see it: what
/// its GPUs online could deliver and draw, what the state's anchor would buy of it, and what its
/// customers asked for.
struct FleetPeriod {
  double capacity_gpu_hours = 0;  ///< reference-GPU-hours its GPUs online could deliver
  /// kWh its GPUs outside the capital region would draw at full load (IT power x PUE).
  double outside_full_load_kwh = 0;
  /// The same, each site's kWh times its tariff share before the policy discount (site factor, or
  /// 1 - non_capital_power_discount): what the tariff discount is taken off.
  double outside_tariff_kwh = 0;
  double anchor_gpu_hours = 0;  ///< the state's anchor GPU-hours due from it over the period
  double demand_gpu_hours = 0;  ///< what its customers asked for over the period
  /// With compute use: the share of its pool's GPU-hours that ran jobs, measured; replaces the
  /// customers' demand.
  std::optional<double> measured_utilization{};
};

/// What the fleet instruments cost the state over a FleetPeriod (docs/model/fleet-expansion.md,
/// "What the instruments cost").
struct FleetInstrumentCost {
  double anchor_gpu_hours = 0;        ///< bought: the anchor due, up to what the fleet can sell
  double anchor_bn_krw = 0;           ///< paid for them at the anchor price
  double utilization = 0;             ///< of the fleet's capacity: anchor plus customers
  double outside_kwh = 0;             ///< drawn outside the capital region at that utilisation
  double tariff_discount_bn_krw = 0;  ///< the policy discount on that power's tariff
};

/// The anchor is served first, up to utilization_cap of the capacity (as the fleet values it);
/// the customers take what is left up to their demand, or, with compute use, the measured
/// utilisation is added to the anchor's share (at most 1). Power follows utilisation between
/// idle_power_share and full load on every GPU alike; the discount is
/// non_capital_tariff_discount x tariff x the tariff-weighted kWh drawn. Throws ModelError on
/// negative inputs.
FleetInstrumentCost fleet_instrument_cost(const FleetPeriod& period,
                                          const FleetInstruments& instruments,
                                          double utilization_cap, double tariff_krw_per_kwh,
                                          const ProjectAssumptions& assumptions = {});

}  // namespace tenderlab
