#include "tenderlab/agents/fleet_expansion.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

const char* to_string(ExpansionLimit limit) {
  return expansion_limit_names.at(static_cast<std::size_t>(limit)).data();
}

namespace {

constexpr double hours_per_year = 8760.0;
constexpr double krw_per_bn_krw = 1e9;
constexpr double kw_per_mw = 1000.0;
/// Relative slack on the capital and grid bounds (whole_steps()).
constexpr double bound_tolerance = 1e-9;

void require(bool ok, const std::string& what) {
  if (!ok) throw ModelError("fleet expansion: " + what);
}

/// `x` is a finite number in [low, high]; NaN fails every comparison and so every check.
bool within(double x, double low, double high) {
  return std::isfinite(x) && x >= low && x <= high;
}

constexpr double unbounded = std::numeric_limits<double>::max();

void check_option(const ExpansionOption& o) {
  require(within(o.gpu_price_bn_krw, 0, unbounded) && o.gpu_price_bn_krw > 0,
          "option gpu_price_bn_krw must be positive");
  require(within(o.performance, 0, unbounded) && o.performance > 0,
          "option performance must be positive");
  require(within(o.kw_per_gpu, 0, unbounded), "option kw_per_gpu must be non-negative");
  require(within(o.pue, 1, unbounded), "option pue must be at least 1");
  require(!o.power_price_factor || within(*o.power_price_factor, 0, unbounded),
          "option power_price_factor must be non-negative");
  require(o.vendor_allocation >= 0, "option vendor_allocation must be non-negative");
  require(o.life_years >= 1, "option life_years must be at least 1");
  require(within(o.build_cost_bn_krw_per_mw, 0, unbounded),
          "option build_cost_bn_krw_per_mw must be non-negative");
}

void check_instruments(const FleetInstruments& i) {
  require(within(i.investment_tax_credit, 0, 1), "investment_tax_credit must be in [0, 1]");
  require(within(i.non_capital_tariff_discount, 0, 1),
          "non_capital_tariff_discount must be in [0, 1]");
  require(within(i.anchor_gpu_hours_per_year, 0, unbounded),
          "anchor_gpu_hours_per_year must be non-negative");
  require(within(i.anchor_price_krw, 0, unbounded), "anchor_price_krw must be non-negative");
  require(i.anchor_years >= 0, "anchor_years must be non-negative");
}

void check_beliefs(const Beliefs& b) {
  require(within(b.utilization_cap, 0, 1) && b.utilization_cap > 0,
          "utilization_cap must be in (0, 1]");
  require(within(b.gpu_hour_price_krw, 0, unbounded), "gpu_hour_price_krw must be non-negative");
  require(std::isfinite(b.price_decline) && b.price_decline < 1, "price_decline must be below 1");
  require(within(b.power_price_krw_per_kwh, 0, unbounded),
          "power_price_krw_per_kwh must be non-negative");
}

void check_assumptions(const ProjectAssumptions& a) {
  require(within(a.idle_power_share, 0, 1), "idle_power_share must be in [0, 1]");
  require(within(a.corporate_tax_rate, 0, 1) && a.corporate_tax_rate < 1,
          "corporate_tax_rate must be in [0, 1)");
  require(a.gpu_depreciation_years >= 1, "gpu_depreciation_years must be at least 1");
  require(a.building_depreciation_years >= 1, "building_depreciation_years must be at least 1");
  require(within(a.price_noise, 0, unbounded), "price_noise must be non-negative");
  require(within(a.om_share_of_capex, 0, unbounded), "om_share_of_capex must be non-negative");
  require(within(a.gpu_residual_share, 0, 1), "gpu_residual_share must be in [0, 1]");
  require(within(a.building_residual_share, 0, 1), "building_residual_share must be in [0, 1]");
  require(within(a.non_capital_power_discount, 0, 1),
          "non_capital_power_discount must be in [0, 1]");
}

void check_state(const FleetState& s) {
  require(s.gpus >= 0, "state gpus must be non-negative");
  require(within(s.performance, 0, unbounded) && s.performance > 0,
          "state performance must be positive");
  require(within(s.kw_per_gpu, 0, unbounded), "state kw_per_gpu must be non-negative");
  require(within(s.pue, 1, unbounded), "state pue must be at least 1");
  require(within(s.retirement_per_year, 0, 1), "state retirement_per_year must be in [0, 1]");
  require(within(s.demand_gpu_hours_per_year, 0, unbounded),
          "state demand_gpu_hours_per_year must be non-negative");
  require(within(s.capital_bn_krw, 0, unbounded), "state capital_bn_krw must be non-negative");
  // A site without a grid limit may say so with infinity.
  require(!std::isnan(s.spare_mw) && s.spare_mw >= 0, "state spare_mw must be non-negative");
  require(within(s.remote_demand_discount, 0, 1), "state remote_demand_discount must be in [0, 1]");
}

void check_policy(const FleetPolicy& p) {
  require(within(p.max_capital_share_per_quarter, 0, 1),
          "max_capital_share_per_quarter must be in [0, 1]");
  require(within(p.hurdle_rate, 0, unbounded), "hurdle_rate must be non-negative");
  require(within(p.risk_aversion, 0, unbounded), "risk_aversion must be non-negative");
  require(p.step_gpus >= 1, "step_gpus must be at least 1");
}

void check_paths(const MarketPaths& paths, int years) {
  require(paths.paths >= 1, "no market paths");
  require(paths.years >= years, "the market paths cover " + std::to_string(paths.years) +
                                    " years, the GPUs' life " + std::to_string(years));
  const auto cells = static_cast<std::size_t>(paths.paths) * static_cast<std::size_t>(paths.years);
  require(
      paths.demand.size() == cells && paths.power.size() == cells && paths.price.size() == cells,
      "market paths of inconsistent size");
}

}  // namespace

double site_power_factor(std::optional<double> site_factor, bool non_capital,
                         const FleetInstruments& instruments, const ProjectAssumptions& a) {
  const double tariff = site_factor   ? *site_factor
                        : non_capital ? 1 - a.non_capital_power_discount
                                      : 1.0;
  if (!non_capital) return tariff;
  return tariff * (1 - instruments.non_capital_tariff_discount);
}

namespace {

/// One new GPU's economics that do not depend on the paths.
struct NewGpu {
  double gpu_capex = 0;       ///< bn KRW
  double building_capex = 0;  ///< bn KRW: its share of the building, by the MW it draws
  double capacity = 0;        ///< reference-GPU-hours a year
  double full_load_kwh = 0;   ///< kWh a year at full load, times the site's power factor
  double mw = 0;              ///< grid connection at full load
  /// bn KRW at the decision: -capex + tax credit - O&M after tax + depreciation's tax shield +
  /// residual value after tax. Everything but the margin on hours sold and power.
  double fixed_value = 0;
  /// Per operating year: (1 - tax) / (1 + rate)^(year + 1) / 1e9, the present value after tax in
  /// bn KRW of one KRW of operating margin earned in that year.
  std::vector<double> margin_weight;
  double capex() const { return gpu_capex + building_capex; }
};

NewGpu new_gpu(const ExpansionOption& option, const FleetInstruments& instruments,
               double hurdle_rate, const ProjectAssumptions& a) {
  NewGpu gpu;
  gpu.mw = option.kw_per_gpu * option.pue / kw_per_mw;
  gpu.gpu_capex = option.gpu_price_bn_krw;
  gpu.building_capex = gpu.mw * option.build_cost_bn_krw_per_mw;
  gpu.capacity = hours_per_year * option.performance;
  gpu.full_load_kwh =
      option.kw_per_gpu * option.pue * hours_per_year *
      site_power_factor(option.power_price_factor, option.non_capital_site, instruments, a);
  const double capex = gpu.capex();
  const double tax = a.corporate_tax_rate;
  const int life = option.life_years;
  gpu.margin_weight.resize(static_cast<std::size_t>(life));
  // Capex at the decision; the credit is used against the group's tax of the first year; every
  // operating year's flows at its end.
  double value = -capex + instruments.investment_tax_credit * capex / (1 + hurdle_rate);
  double discount = 1, depreciated = 0;
  for (int year = 0; year < life; ++year) {
    discount /= 1 + hurdle_rate;
    gpu.margin_weight[static_cast<std::size_t>(year)] = (1 - tax) * discount / krw_per_bn_krw;
    double depreciation = 0;
    if (year < a.gpu_depreciation_years) depreciation += gpu.gpu_capex / a.gpu_depreciation_years;
    if (year < a.building_depreciation_years)
      depreciation += gpu.building_capex / a.building_depreciation_years;
    depreciated += depreciation;
    // Group taxation: a year's deductions lower the group's tax at once, whatever the GPUs earn.
    value += (-(1 - tax) * a.om_share_of_capex * capex + tax * depreciation) * discount;
  }
  // At the end of the life the assets fetch their residual value; its difference from the book
  // value left is a taxable gain or a deductible loss.
  const double residual =
      a.gpu_residual_share * gpu.gpu_capex + a.building_residual_share * gpu.building_capex;
  const double book_value = std::max(0.0, capex - depreciated);
  value += (residual - tax * (residual - book_value)) * discount;
  gpu.fixed_value = value;
  return gpu;
}

/// The fleet on every path over the new GPUs' life: what does not depend on how many are added.
struct FleetPaths {
  int paths = 0;
  int years = 0;
  double cap = 1;
  double idle_share = 0;
  NewGpu gpu;
  /// paths x years: customers' reference-GPU-hours that the fleet with the new GPUs can reach
  /// (reachable_demand()).
  std::vector<double> demand;
  std::vector<double> price;              ///< paths x years: KRW per reference-GPU-hour
  std::vector<double> tariff;             ///< paths x years: KRW per kWh before the sites' factors
  std::vector<double> existing_capacity;  ///< per year: reference-GPU-hours of today's GPUs
  std::vector<double> existing_kwh;       ///< per year: their kWh at full load x site factor
  std::vector<double> anchor_hours;       ///< per year
  double anchor_price = 0;
  /// Per path, bn KRW: what one more GPU adds once the fleet already serves all demand and the
  /// plan is large: its fixed value less the power it draws idle. See stops_growing().
  std::vector<double> idle_gpu_value;
  /// 1/bn KRW, one for every plan compared (docs/model/fleet-expansion.md, "Risk").
  double absolute_risk_aversion = 0;
};

/// Of the customers' `demand`, what the fleet can sell however many GPUs it adds: new GPUs outside
/// the capital region cannot sell the `remote_share` of it that only the capital region serves,
/// which today's GPUs (of sellable capacity `existing_sellable`) serve first. With the anchor on
/// the new GPUs, this is the most a flow from customers to GPUs can carry. All of it when the new
/// GPUs are in the capital region (`remote_share` 0).
double reachable_demand(double demand, double existing_sellable, double remote_share) {
  if (remote_share == 0) return demand;
  return std::min(demand, existing_sellable + (1 - remote_share) * demand);
}

FleetPaths fleet_paths(const FleetState& state, const ExpansionOption& option,
                       const FleetInstruments& instruments, const FleetPolicy& policy,
                       const Beliefs& beliefs, const MarketPaths& paths,
                       const ProjectAssumptions& a) {
  check_state(state);
  check_option(option);
  check_instruments(instruments);
  check_policy(policy);
  check_beliefs(beliefs);
  check_assumptions(a);
  check_paths(paths, option.life_years);
  FleetPaths fleet;
  fleet.paths = paths.paths;
  fleet.years = option.life_years;
  fleet.cap = beliefs.utilization_cap;
  fleet.idle_share = a.idle_power_share;
  fleet.gpu = new_gpu(option, instruments, policy.hurdle_rate, a);
  fleet.anchor_price = instruments.anchor_price_krw;
  const auto years = static_cast<std::size_t>(fleet.years);
  fleet.existing_capacity.resize(years);
  fleet.existing_kwh.resize(years);
  fleet.anchor_hours.resize(years);
  const double existing_gpus = static_cast<double>(state.gpus);
  const double existing_power_factor =
      site_power_factor(std::nullopt, state.non_capital_site, instruments, a);
  for (std::size_t y = 0; y < years; ++y) {
    const double in_service =
        existing_gpus * std::max(0.0, 1 - state.retirement_per_year * static_cast<double>(y));
    fleet.existing_capacity[y] = in_service * hours_per_year * state.performance;
    fleet.existing_kwh[y] =
        in_service * state.kw_per_gpu * state.pue * hours_per_year * existing_power_factor;
    fleet.anchor_hours[y] = static_cast<int>(y) < instruments.anchor_years
                                ? instruments.anchor_gpu_hours_per_year
                                : 0.0;
  }
  // Path noise on the price is lognormal with mean one, so the trend is the expected price.
  const std::vector<double>& noise = paths.price_factors(a.price_noise);
  const double mean_one = std::exp(-0.5 * a.price_noise * a.price_noise);
  const std::size_t cells = static_cast<std::size_t>(fleet.paths) * years;
  fleet.demand.resize(cells);
  fleet.price.resize(cells);
  fleet.tariff.resize(cells);
  // A fleet that runs outside the capital region today has customers who take that: its demand
  // is already net of those served only in the capital region.
  const double remote_share =
      option.non_capital_site && !state.non_capital_site ? state.remote_demand_discount : 0.0;
  std::size_t cell = 0;
  for (int p = 0; p < fleet.paths; ++p) {
    double trend_price = beliefs.gpu_hour_price_krw;
    for (int y = 0; y < fleet.years; ++y, ++cell, trend_price *= 1 - beliefs.price_decline) {
      fleet.demand[cell] = reachable_demand(
          state.demand_gpu_hours_per_year * paths.at(paths.demand, p, y),
          fleet.cap * fleet.existing_capacity[static_cast<std::size_t>(y)], remote_share);
      fleet.price[cell] = trend_price * paths.at(noise, p, y) * mean_one;
      fleet.tariff[cell] = beliefs.power_price_krw_per_kwh * paths.at(paths.power, p, y);
    }
  }
  fleet.idle_gpu_value.assign(static_cast<std::size_t>(fleet.paths), fleet.gpu.fixed_value);
  for (std::size_t c = 0; c < cells; ++c)
    fleet.idle_gpu_value[c / years] -= fleet.gpu.margin_weight[c % years] *
                                       fleet.gpu.full_load_kwh * a.idle_power_share *
                                       fleet.tariff[c];
  // The agent's risk tolerance is its quarterly budget over its risk aversion; a budget below one
  // step (which forbids any step) counts as one step, so that the refused step is still valued.
  const double budget = policy.max_capital_share_per_quarter * state.capital_bn_krw;
  const double stake = std::max(budget, static_cast<double>(policy.step_gpus) * fleet.gpu.capex());
  fleet.absolute_risk_aversion = policy.risk_aversion / stake;
  return fleet;
}

/// The fleet with `added` new GPUs on every path.
struct FleetRun {
  std::int64_t added = 0;
  /// Per path, bn KRW at the decision: the new GPUs' fixed value plus the whole fleet's margin on
  /// hours sold less power, after tax, over the new GPUs' life. The existing GPUs' other costs
  /// do not change with the plan and are left out.
  std::vector<double> value;
  double mean_served = 0;       ///< reference-GPU-hours a year, mean over paths and years
  double mean_utilization = 0;  ///< of the whole fleet, mean over paths and years
  /// On every path and in every year the fleet can sell all that is asked of it: a larger plan
  /// sells no more.
  bool serves_all_demand = true;
  /// Per path, bn KRW: at least what any larger plan can add to this one's value (headroom());
  /// empty unless asked for.
  std::vector<double> headroom;
};

/// Where one year of one path limits what more GPUs can add: beyond `gpus` more GPUs the year's
/// unsold demand is sold out, and until then each GPU adds at most `value_per_gpu` there.
struct DemandKink {
  double gpus = 0;
  double value_per_gpu = 0;
};

/// The most that k >= 0 more GPUs can add on one path, the largest over k of
///   k * idle_value + sum over the kinks of value_per_gpu * min(k, gpus) + saving:
/// each GPU costs its idle value, sells at most its capacity of the demand left unsold in each
/// year, and can at most make the fleet's load as cheap to power as the new GPUs' own. The sum is
/// concave and piecewise linear in k, so its largest value is at k = 0 or at a kink.
double headroom(std::vector<DemandKink>& kinks, double idle_value, double saving) {
  if (idle_value > 0) return std::numeric_limits<double>::infinity();
  double best = 0;
  for (const DemandKink& at : kinks) {
    double value = at.gpus * idle_value;
    for (const DemandKink& other : kinks)
      value += other.value_per_gpu * std::min(at.gpus, other.gpus);
    best = std::max(best, value);
  }
  return best + saving;
}

/// `Headroom`: also fill run.headroom, which only the end of the scan needs.
template <bool Headroom = false>
FleetRun run_fleet(const FleetPaths& fleet, std::int64_t added) {
  FleetRun run;
  run.added = added;
  run.value.resize(static_cast<std::size_t>(fleet.paths));
  if constexpr (Headroom) run.headroom.resize(static_cast<std::size_t>(fleet.paths));
  const double n = static_cast<double>(added);
  const double load_slope = 1 - fleet.idle_share;
  // kWh at full load per reference-GPU-hour of capacity, of a new GPU.
  const double new_intensity = fleet.gpu.full_load_kwh / fleet.gpu.capacity;
  const double gpu_sellable = fleet.cap * fleet.gpu.capacity;
  double served_sum = 0, utilization_sum = 0;
  std::vector<DemandKink> kinks;
  if constexpr (Headroom) kinks.reserve(static_cast<std::size_t>(fleet.years));
  std::size_t cell = 0;
  for (int p = 0; p < fleet.paths; ++p) {
    double value = n * fleet.gpu.fixed_value;
    double saving = 0;
    kinks.clear();
    for (int y = 0; y < fleet.years; ++y, ++cell) {
      const auto year = static_cast<std::size_t>(y);
      const double capacity = fleet.existing_capacity[year] + n * fleet.gpu.capacity;
      const double sellable = fleet.cap * capacity;
      // The anchor is served first; the agent's customers take what is left, up to their demand.
      const double anchor = std::min(fleet.anchor_hours[year], sellable);
      const double market = std::min(fleet.demand[cell], sellable - anchor);
      const double served = anchor + market;
      if (sellable < fleet.anchor_hours[year] + fleet.demand[cell]) run.serves_all_demand = false;
      const double utilization = capacity > 0 ? served / capacity : 0.0;
      // Load is spread evenly: every GPU runs at the fleet's utilisation.
      const double full_load_kwh = fleet.existing_kwh[year] + n * fleet.gpu.full_load_kwh;
      const double kwh = full_load_kwh * (fleet.idle_share + load_slope * utilization);
      const double tariff = fleet.tariff[cell];
      const double weight = fleet.gpu.margin_weight[year];
      const double margin = anchor * fleet.anchor_price + market * fleet.price[cell] - kwh * tariff;
      value += margin * weight;
      if constexpr (Headroom) {
        // More GPUs move the fleet's power per hour sold from its present intensity towards the
        // new GPUs'; an extra hour sold earns at most the better of the two prices and draws at
        // least the lower intensity.
        const double intensity = capacity > 0 ? full_load_kwh / capacity : new_intensity;
        saving += weight * tariff * load_slope * served * std::max(0.0, intensity - new_intensity);
        const double unsold = fleet.anchor_hours[year] + fleet.demand[cell] - served;
        const double best_price = fleet.anchor_hours[year] > 0
                                      ? std::max(fleet.price[cell], fleet.anchor_price)
                                      : fleet.price[cell];
        const double hour_value =
            weight * (best_price - tariff * load_slope * std::min(intensity, new_intensity));
        if (unsold > 0 && hour_value > 0)
          kinks.push_back({unsold / gpu_sellable, hour_value * gpu_sellable});
      }
      served_sum += served;
      utilization_sum += utilization;
    }
    run.value[static_cast<std::size_t>(p)] = value;
    if constexpr (Headroom)
      run.headroom[static_cast<std::size_t>(p)] =
          headroom(kinks, fleet.idle_gpu_value[static_cast<std::size_t>(p)], saving);
  }
  const double cells = static_cast<double>(fleet.paths) * static_cast<double>(fleet.years);
  run.mean_served = served_sum / cells;
  run.mean_utilization = utilization_sum / cells;
  return run;
}

/// Per path, the fleet with the plan less the fleet without it.
std::vector<double> gains(const FleetRun& plan, const FleetRun& none) {
  std::vector<double> out(plan.value.size());
  for (std::size_t p = 0; p < out.size(); ++p)
    out[p] = plan.value[p] - none.value[p];
  return out;
}

/// Certainty equivalent of a plan: of its gain over no expansion, path by path.
double plan_certainty_equivalent(const FleetPaths& fleet, const FleetRun& plan,
                                 const FleetRun& none) {
  return certainty_equivalent(gains(plan, none), fleet.absolute_risk_aversion);
}

ExpansionValue summarise(const FleetPaths& fleet, const FleetInstruments& instruments,
                         const FleetRun& run, const FleetRun& none) {
  const std::vector<double> gain = gains(run, none);
  ExpansionValue v;
  const double n = static_cast<double>(run.added);
  v.gpus = run.added;
  v.capex_bn_krw = n * fleet.gpu.capex();
  v.mw = n * fleet.gpu.mw;
  v.tax_credit_bn_krw = instruments.investment_tax_credit * v.capex_bn_krw;
  const double count = static_cast<double>(gain.size());
  v.expected_npv_bn_krw = std::accumulate(gain.begin(), gain.end(), 0.0) / count;
  double squares = 0;
  for (double x : gain)
    squares += (x - v.expected_npv_bn_krw) * (x - v.expected_npv_bn_krw);
  v.npv_sd_bn_krw = gain.size() > 1 ? std::sqrt(squares / (count - 1)) : 0.0;
  v.certainty_equivalent_bn_krw = certainty_equivalent(gain, fleet.absolute_risk_aversion);
  v.expected_utilization = run.mean_utilization;
  return v;
}

ExpansionStep step_between(const FleetPaths& fleet, const FleetRun& none, const FleetRun& smaller,
                           const FleetRun& larger) {
  ExpansionStep step;
  step.from_gpus = smaller.added;
  step.to_gpus = larger.added;
  step.value_bn_krw = plan_certainty_equivalent(fleet, larger, none) -
                      plan_certainty_equivalent(fleet, smaller, none);
  const double step_capacity =
      static_cast<double>(larger.added - smaller.added) * fleet.gpu.capacity;
  step.expected_utilization = (larger.mean_served - smaller.mean_served) / step_capacity;
  return step;
}

/// Whole steps of `step` GPUs within `limit` GPUs, with a relative slack so that a budget of
/// exactly k steps' capex allows k steps despite rounding; at most `cap` (a limit beyond every
/// other bound need not be counted).
std::int64_t whole_steps(double limit, std::int64_t step, std::int64_t cap) {
  const double steps = limit / static_cast<double>(step) * (1 + bound_tolerance);
  if (!(steps < static_cast<double>(cap))) return cap;
  return static_cast<std::int64_t>(std::floor(steps));
}

/// Whether no plan larger than `plan` (one step beyond `previous`) can be worth more, path by path,
/// than `plan`, so that the scan can stop. Once `previous` already serves all demand, every later
/// step sells nothing and adds, on each path, the new GPUs' idle value plus the change in the
/// power the fleet's load draws as it spreads over more GPUs. That change shrinks with every step
/// and tends to zero, so the later steps' additions lie between this step's addition and the idle
/// value: when both are non-positive on every path, so is every later step's.
bool stops_growing(const FleetPaths& fleet, const FleetRun& previous, const FleetRun& plan) {
  if (!previous.serves_all_demand) return false;
  for (std::size_t p = 0; p < plan.value.size(); ++p)
    if (plan.value[p] > previous.value[p] || fleet.idle_gpu_value[p] > 0) return false;
  return true;
}

/// Whether no plan larger than `plan` can be worth more than `best_value`: the certainty
/// equivalent is increasing path by path, so it is enough that the plan's gain plus its headroom
/// on every path is worth no more.
bool cannot_improve(const FleetPaths& fleet, const FleetRun& none, const FleetRun& plan,
                    double best_value) {
  std::vector<double> optimistic = gains(plan, none);
  for (std::size_t p = 0; p < optimistic.size(); ++p) {
    if (std::isinf(plan.headroom[p])) return false;
    optimistic[p] += plan.headroom[p];
  }
  return certainty_equivalent(optimistic, fleet.absolute_risk_aversion) <= best_value;
}

/// The constant utilisation at which one new GPU's NPV is zero, on the trend of `beliefs`: the
/// NPV is alpha + beta u, with beta the after-tax present value of a fully sold GPU's revenue
/// less the power that load adds.
double break_even(const NewGpu& gpu, const Beliefs& beliefs, const ProjectAssumptions& a) {
  double alpha = gpu.fixed_value, beta = 0, trend_price = beliefs.gpu_hour_price_krw;
  const double tariff = beliefs.power_price_krw_per_kwh;
  for (double weight : gpu.margin_weight) {
    alpha -= weight * gpu.full_load_kwh * a.idle_power_share * tariff;
    beta += weight *
            (gpu.capacity * trend_price - gpu.full_load_kwh * (1 - a.idle_power_share) * tariff);
    trend_price *= 1 - beliefs.price_decline;
  }
  if (!(beta > 0)) return std::numeric_limits<double>::infinity();
  return -alpha / beta;
}

}  // namespace

double break_even_utilization(const ExpansionOption& option, const FleetInstruments& instruments,
                              double hurdle_rate, const Beliefs& beliefs,
                              const ProjectAssumptions& assumptions) {
  check_option(option);
  check_instruments(instruments);
  check_beliefs(beliefs);
  check_assumptions(assumptions);
  require(within(hurdle_rate, 0, unbounded), "hurdle_rate must be non-negative");
  return break_even(new_gpu(option, instruments, hurdle_rate, assumptions), beliefs, assumptions);
}

ExpansionValue value_fleet_expansion(const FleetState& state, const ExpansionOption& option,
                                     const FleetInstruments& instruments, const FleetPolicy& policy,
                                     const Beliefs& beliefs, const MarketPaths& paths,
                                     std::int64_t gpus, const ProjectAssumptions& assumptions) {
  require(gpus >= 0, "a plan of a negative number of GPUs");
  const FleetPaths fleet =
      fleet_paths(state, option, instruments, policy, beliefs, paths, assumptions);
  const FleetRun none = run_fleet(fleet, 0);
  const FleetRun plan = run_fleet(fleet, gpus);
  return summarise(fleet, instruments, plan, none);
}

ExpansionDecision decide_fleet_expansion(const FleetState& state, const ExpansionOption& option,
                                         const FleetInstruments& instruments,
                                         const FleetPolicy& policy, const Beliefs& beliefs,
                                         const MarketPaths& paths,
                                         const ProjectAssumptions& assumptions) {
  const FleetPaths fleet =
      fleet_paths(state, option, instruments, policy, beliefs, paths, assumptions);
  ExpansionDecision decision;
  decision.break_even_utilization = break_even(fleet.gpu, beliefs, assumptions);

  // The bounds, each as a number of GPUs and of whole steps. Capital and grid are continuous
  // quantities, compared with a relative slack; the vendor's allocation is a count.
  const double budget = policy.max_capital_share_per_quarter * state.capital_bn_krw;
  const std::array<double, 3> limits = {
      budget / fleet.gpu.capex(), static_cast<double>(option.vendor_allocation),
      fleet.gpu.mw > 0 ? state.spare_mw / fleet.gpu.mw : std::numeric_limits<double>::infinity()};
  const std::int64_t vendor_steps = option.vendor_allocation / policy.step_gpus;
  const std::array<std::int64_t, 3> steps = {
      whole_steps(limits[0], policy.step_gpus, vendor_steps), vendor_steps,
      whole_steps(limits[2], policy.step_gpus, vendor_steps)};
  const std::array<ExpansionLimit, 3> names = {ExpansionLimit::capital, ExpansionLimit::vendor,
                                               ExpansionLimit::grid};
  // The tightest bound: the fewest steps, then the fewest GPUs, then the first in the order above.
  std::size_t tightest = 0;
  for (std::size_t k = 1; k < limits.size(); ++k)
    if (steps[k] < steps[tightest] || (steps[k] == steps[tightest] && limits[k] < limits[tightest]))
      tightest = k;
  decision.bound_gpus = steps[tightest] * policy.step_gpus;

  // The best plan within the bounds, scanned step by step from none. Value need not be concave
  // in the plan (an anchor priced below the market makes the first GPUs worth less than the next
  // ones), so a step that loses value does not end the scan; it ends when no larger plan can be
  // worth more than the best so far (stops_growing(), cannot_improve()).
  const FleetRun none = run_fleet(fleet, 0);
  FleetRun best = none, before_best = none, previous = none;
  double best_value = 0;
  std::optional<FleetRun> after_best;
  for (std::int64_t gpus = policy.step_gpus; gpus <= decision.bound_gpus;
       gpus += policy.step_gpus) {
    FleetRun plan = run_fleet(fleet, gpus);
    if (previous.added == best.added) after_best = plan;
    const double value = plan_certainty_equivalent(fleet, plan, none);
    if (value > best_value) {
      best_value = value;
      before_best = previous;
      best = plan;
      after_best.reset();
    }
    if (stops_growing(fleet, previous, plan)) break;
    // Only a plan that is not the best can show that no larger one is better.
    if (plan.added != best.added &&
        cannot_improve(fleet, none, run_fleet<true>(fleet, plan.added), best_value))
      break;
    previous = std::move(plan);
  }
  if (best.added > 0) decision.last_step = step_between(fleet, none, before_best, best);
  // The step beyond the plan, valued even where the bounds forbid it: what a bound costs.
  if (!after_best) after_best = run_fleet(fleet, best.added + policy.step_gpus);
  decision.next_step = step_between(fleet, none, best, *after_best);
  decision.binding = best.added == decision.bound_gpus && decision.next_step.value_bn_krw > 0
                         ? names[tightest]
                         : ExpansionLimit::value;
  decision.plan = summarise(fleet, instruments, best, none);
  return decision;
}

FleetInstrumentCost fleet_instrument_cost(const FleetPeriod& period,
                                          const FleetInstruments& instruments,
                                          double utilization_cap, double tariff_krw_per_kwh,
                                          const ProjectAssumptions& assumptions) {
  for (const double x :
       {period.capacity_gpu_hours, period.outside_full_load_kwh, period.outside_tariff_kwh,
        period.anchor_gpu_hours, period.demand_gpu_hours, tariff_krw_per_kwh})
    require(within(x, 0, unbounded), "a fleet period's hours, kWh and tariff must be non-negative");
  require(within(utilization_cap, 0, 1), "utilization_cap must be in [0, 1]");
  check_instruments(instruments);
  require(!period.measured_utilization || within(*period.measured_utilization, 0, 1),
          "a measured utilisation must be in [0, 1]");
  FleetInstrumentCost cost;
  const double capacity = period.capacity_gpu_hours;
  const double sellable = utilization_cap * capacity;
  cost.anchor_gpu_hours = std::min(period.anchor_gpu_hours, sellable);
  cost.anchor_bn_krw = cost.anchor_gpu_hours * instruments.anchor_price_krw / krw_per_bn_krw;
  if (capacity > 0) {
    const double anchor_share = cost.anchor_gpu_hours / capacity;
    cost.utilization = period.measured_utilization
                           ? std::min(1.0, anchor_share + *period.measured_utilization)
                           : (cost.anchor_gpu_hours +
                              std::min(period.demand_gpu_hours, sellable - cost.anchor_gpu_hours)) /
                                 capacity;
  }
  const double idle = assumptions.idle_power_share;
  const double load = idle + (1 - idle) * cost.utilization;
  cost.outside_kwh = period.outside_full_load_kwh * load;
  cost.tariff_discount_bn_krw = period.outside_tariff_kwh * load * tariff_krw_per_kwh *
                                instruments.non_capital_tariff_discount / krw_per_bn_krw;
  return cost;
}

}  // namespace tenderlab
