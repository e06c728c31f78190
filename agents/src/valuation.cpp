#include "tenderlab/agents/valuation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>

#include "tenderlab/agents/shapley.hpp"
#include "tenderlab/agents/valuation_shortcuts.hpp"
#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

detail::ValuationShortcuts& detail::valuation_shortcuts() {
  thread_local ValuationShortcuts shortcuts;
  return shortcuts;
}

MarketPaths draw_market_paths(const Beliefs& beliefs, int paths, int years, Rng& rng,
                              bool antithetic) {
  if (paths < 1 || years < 1)
    throw ModelError("draw_market_paths: need at least one path and year");
  MarketPaths out;
  out.paths = paths;
  out.years = years;
  const auto cells = static_cast<std::size_t>(paths) * static_cast<std::size_t>(years);
  out.demand.resize(cells);
  out.power.resize(cells);
  out.price.resize(cells);
  out.delay_uniform.resize(static_cast<std::size_t>(paths));
  const double g = beliefs.demand_growth, s = beliefs.demand_volatility;
  const double sp = beliefs.power_price_volatility;
  // Draw order is fixed (path by path, year by year, demand then power then price) so a path's
  // numbers never depend on how many paths are drawn after it. Antithetic paths come in pairs:
  // the second of a pair mirrors every draw of the first (-z for each normal, 1 - u for the
  // uniform) and draws nothing itself.
  std::vector<double> draws(3 * static_cast<std::size_t>(years));
  for (int p = 0; p < paths; ++p) {
    const bool mirror = antithetic && p % 2 == 1;
    double log_demand = 0, log_power = 0;
    for (int y = 0; y < years; ++y) {
      const auto cell = static_cast<std::size_t>(p) * static_cast<std::size_t>(years) +
                        static_cast<std::size_t>(y);
      double* z = &draws[3 * static_cast<std::size_t>(y)];
      if (mirror) {
        for (int k = 0; k < 3; ++k)
          z[k] = -z[k];
      } else {
        z[0] = y > 0 ? rng.normal() : 0.0;
        z[1] = y > 0 ? rng.normal() : 0.0;
        z[2] = rng.normal();
      }
      if (y > 0) log_demand += std::log1p(g) - 0.5 * s * s + s * z[0];
      if (y > 0) log_power += -0.5 * sp * sp + sp * z[1];
      out.demand[cell] = std::exp(log_demand);
      out.power[cell] = std::exp(log_power);
      out.price[cell] = z[2];  // standardised; scaled by the assumptions' price noise
    }
    const auto path = static_cast<std::size_t>(p);
    out.delay_uniform[path] = mirror ? 1 - out.delay_uniform[path - 1] : rng.uniform();
  }
  return out;
}

const std::vector<double>& MarketPaths::price_factors(double noise) const {
  if (noise != price_factors_noise_ || price_factors_.size() != price.size()) {
    price_factors_.resize(price.size());
    for (std::size_t i = 0; i < price.size(); ++i)
      price_factors_[i] = std::exp(noise * price[i]);
    price_factors_noise_ = noise;
  }
  return price_factors_;
}

TeamProfile make_team_profile(const std::vector<const AgentSpec*>& members,
                              const ProjectAssumptions& assumptions) {
  TeamProfile team;
  for (const AgentSpec* agent : members) {
    const Capabilities& c = agent->capabilities;
    Capabilities& t = team.capabilities;
    t.cloud_operations = std::max(t.cloud_operations, c.cloud_operations);
    t.sites_power = std::max(t.sites_power, c.sites_power);
    t.construction = std::max(t.construction, c.construction);
    t.academia = std::max(t.academia, c.academia);
    t.local_government = std::max(t.local_government, c.local_government);
    t.chips = std::max(t.chips, c.chips);
    if (c.cloud_operations >= assumptions.cloud_provider_threshold) ++team.cloud_providers;
  }
  return team;
}

double certainty_equivalent(const std::vector<double>& outcomes, double a) {
  if (outcomes.empty()) throw ModelError("certainty_equivalent: no outcomes");
  const double n = static_cast<double>(outcomes.size());
  if (a <= 0) return std::accumulate(outcomes.begin(), outcomes.end(), 0.0) / n;
  // -ln(mean(exp(-a x)))/a, shifted by the worst outcome so exp never overflows.
  const double worst = *std::min_element(outcomes.begin(), outcomes.end());
  double sum = 0;
  for (double x : outcomes)
    sum += std::exp(-a * (x - worst));
  return worst - std::log(sum / n) / a;
}

namespace {

/// Present value at `rate` of `flows[0..years)`, the first one a year after the signing of the
/// loan (at the start of operations).
double present_value(const std::vector<double>& flows, double rate, int years) {
  double pv = 0, discount = 1;
  const int n = std::min(years, static_cast<int>(flows.size()));
  for (int i = 0; i < n; ++i) {
    discount /= 1 + rate;
    pv += flows[static_cast<std::size_t>(i)] * discount;
  }
  return pv;
}

/// The rate at which `flows` over `years` are worth `target` (present_value is falling in the
/// rate). Bisection, since the flows are arbitrary; `low` is worth at least the target.
double rate_for_value(const std::vector<double>& flows, int years, double target, double low) {
  double high = 1.0;
  if (present_value(flows, high, years) >= target) return high;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (low + high);
    (present_value(flows, mid, years) >= target ? low : high) = mid;
  }
  return high;
}

/// A sculpted loan: its debt service in operating year i is `cover[i] * share`, the lender's
/// base-case cash flow times the share of it the loan takes, so that its present value at the
/// loan's rate over the tenor equals the principal.
struct Loan {
  double principal = 0;
  double rate = 0;
  int years = 0;
  double share = 0;  ///< of the base-case cash flow, each year of the tenor
  double service(const std::vector<double>& cover, int schedule_year) const {
    if (schedule_year < 0 || schedule_year >= years) return 0;
    return share * cover[static_cast<std::size_t>(schedule_year)];
  }
};

/// The project as sized for one team and site: its financing, its loans and its tax books.
struct Project {
  int total_years = 0;
  Financing money;
  Loan policy;
  Loan market;
  std::vector<double> cover;         ///< per operating year: max(0, base-case cash flow)
  std::vector<double> depreciation;  ///< per operating year, for tax
  double book_value_at_end = 0;      ///< tax book value of the assets when the contract ends
  double residual = 0;               ///< what the assets fetch then
  double support_limit = 0;          ///< shortfalls the shareholders fund before a default
  /// Cash kept back before dividends: debt_service_reserve_years of the first scheduled service.
  double reserve_target(const ProjectAssumptions& a) const {
    if (cover.empty()) return 0;
    return a.debt_service_reserve_years * (policy.service(cover, 0) + market.service(cover, 0));
  }
};

/// The trend's GPU-hour price in the first operating year: the bid date's price, fallen at the
/// market's decline over `price_decline_before_operations` of the build years.
double first_operating_year_price(const CallObject& object, const Beliefs& beliefs,
                                  const ProjectAssumptions& a) {
  return beliefs.gpu_hour_price_krw *
         std::pow(1 - beliefs.price_decline,
                  a.price_decline_before_operations * object.build_years);
}

/// The lender's base case: the project's operating margin per operating year on the trend of
/// `beliefs`, without delay, with the lender's own haircuts for mandated chips and a remote site.
/// It is deterministic, so every member of a team and the contract see the same debt.
std::vector<double> base_case_margins(const CallObject& object, const Terms& terms,
                                      const TeamProfile& team, bool non_capital,
                                      const Beliefs& beliefs, double capex,
                                      const ProjectAssumptions& a) {
  std::vector<double> margins(static_cast<std::size_t>(std::max(0, object.years)));
  const double gpus = static_cast<double>(object.gpus);
  double revenue_factor = 1 - object.public_use_share * object.public_use_discount;
  revenue_factor *= 1 - terms.domestic_chip_share * a.lender_npu_penalty *
                            (1 - a.chip_capability_npu_relief * team.capabilities.chips);
  const double operations_factor =
      a.operations_utilization_base +
      a.operations_utilization_slope * team.capabilities.cloud_operations;
  const double demand_factor = non_capital ? 1 - a.lender_remote_demand_discount : 1.0;
  const double power_factor = non_capital ? 1 - a.non_capital_power_discount : 1.0;
  double demand = 1, price = first_operating_year_price(object, beliefs, a);
  for (auto& margin : margins) {
    const double utilization =
        std::min(beliefs.utilization_cap,
                 beliefs.utilization_base * operations_factor * demand_factor * demand);
    const double revenue = gpus * 8760.0 * utilization * price * revenue_factor / 1e9;
    const double load = a.idle_power_share + (1 - a.idle_power_share) * utilization;
    const double power = gpus * object.kw_per_gpu * object.pue * 8760.0 * load *
                         beliefs.power_price_krw_per_kwh * power_factor / 1e9;
    margin = revenue - power - a.om_share_of_capex * capex;
    demand *= 1 + beliefs.demand_growth;
    price *= 1 - beliefs.price_decline;
  }
  return margins;
}

/// Sizes the project: capex, the equity the terms ask for, and debt as the lender would lend it
/// at `market_rate`: sculpted to the base case so that cash flow covers every year's service
/// dscr_covenant times, within max_leverage; the policy loan takes its share of the cover first.
/// Debt the lender will not lend is equity.
Project size_project(const CallObject& object, const Terms& terms, const TeamProfile& team,
                     bool non_capital, const Beliefs& lender_view, const ProjectAssumptions& a) {
  Project project;
  Financing& f = project.money;
  project.total_years = object.build_years + object.years;
  const double gpus = static_cast<double>(object.gpus);
  f.gpu_capex = gpus * object.gpu_price_bn_krw;
  f.site_mw = gpus * object.kw_per_gpu * object.pue / 1000.0;
  double build_cost = f.site_mw * object.build_cost_bn_krw_per_mw;
  build_cost *= 1 - a.construction_build_saving * team.capabilities.construction;
  if (non_capital)
    build_cost *= 1 - a.local_government_build_saving * team.capabilities.local_government;
  f.building_capex = build_cost;
  // Integrating mandated domestic chips (software stack, porting) is a one-off cost on top.
  f.integration_capex = terms.domestic_chip_share * gpus * a.npu_integration_cost_bn_krw;
  const double capex = f.capex();

  // Debt: what the terms leave to it, within the lender's limits.
  const double asked_equity =
      terms.paid_in_capital_bn_krw > 0 ? std::min(terms.paid_in_capital_bn_krw, capex) : capex;
  const double wanted_debt = std::min(capex - asked_equity, a.max_leverage * capex);
  project.cover = base_case_margins(object, terms, team, non_capital, lender_view, capex, a);
  for (double& c : project.cover)
    c = std::max(0.0, c);
  const int operating = std::max(0, object.years);
  Loan& policy = project.policy;
  policy.rate = terms.policy_loan.rate;
  policy.years =
      std::min(terms.policy_loan.years > 0 ? terms.policy_loan.years : a.debt_years, operating);
  Loan& market = project.market;
  market.rate = a.market_debt_rate;
  market.years = std::min(a.debt_years, operating);
  const double max_share = 1 / a.dscr_covenant;
  // Loans are drawn at the signing and paid from year build_years on, interest accruing from
  // year 1 (capitalised during construction): a schedule is worth its principal at the loan's
  // rate when its present value from one year before the first payment is principal x growth.
  const double policy_growth = std::pow(1 + policy.rate, object.build_years - 1);
  const double market_growth = std::pow(1 + market.rate, object.build_years - 1);
  const double policy_cover = present_value(project.cover, policy.rate, policy.years);
  const double market_cover = present_value(project.cover, market.rate, market.years);
  policy.principal = std::min(wanted_debt, terms.policy_loan.share_of_capex * capex);
  policy.principal = std::min(policy.principal, max_share * policy_cover / policy_growth);
  policy.share = policy_cover > 0 ? policy.principal * policy_growth / policy_cover : 0.0;
  market.principal =
      std::min(wanted_debt - policy.principal,
               std::max(0.0, max_share - policy.share) * market_cover / market_growth);
  market.share = market_cover > 0 ? market.principal * market_growth / market_cover : 0.0;
  f.policy_loan = policy.principal;
  f.market_debt = market.principal;
  // The policy loan's grant equivalent: its principal less its base-case service discounted at
  // the market rate, from the operating years back to the signing.
  if (policy.principal > 0) {
    std::vector<double> service(static_cast<std::size_t>(policy.years));
    for (int i = 0; i < policy.years; ++i)
      service[static_cast<std::size_t>(i)] = policy.service(project.cover, i);
    f.policy_loan_subsidy =
        policy.principal - present_value(service, a.market_debt_rate, policy.years) *
                               std::pow(1 + a.market_debt_rate, 1 - object.build_years);
  }
  f.equity = capex - policy.principal - market.principal;
  f.public_equity = f.equity * terms.public_equity_share;
  f.private_equity = f.equity - f.public_equity;
  f.tax_credit = terms.tax_credit * (f.gpu_capex + f.building_capex);
  if (terms.buy_back.enabled)
    f.contingent_liability =
        f.public_equity * std::pow(1 + terms.buy_back.return_rate, project.total_years);

  // Tax books: straight-line depreciation from the first operating year.
  project.depreciation.assign(static_cast<std::size_t>(operating), 0.0);
  const double hardware = f.gpu_capex + f.integration_capex;
  double depreciated = 0;
  for (int op = 0; op < operating; ++op) {
    double d = 0;
    if (op < a.gpu_depreciation_years) d += hardware / a.gpu_depreciation_years;
    if (op < a.building_depreciation_years) d += f.building_capex / a.building_depreciation_years;
    project.depreciation[static_cast<std::size_t>(op)] = d;
    depreciated += d;
  }
  project.book_value_at_end = std::max(0.0, capex - depreciated);
  project.residual =
      a.building_residual_share * f.building_capex + a.gpu_residual_share * f.gpu_capex;
  project.support_limit = a.sponsor_support_share * f.equity;
  return project;
}

/// The operating side of a project on every path: what does not depend on how the project is
/// financed or how its cash is split, only on the team, the member's beliefs and paths, the site
/// and the chip mandate (through revenue and capex). Computed once and shared by every term sheet
/// that agrees on those (the coalitions of an attribution).
struct OperatingPaths {
  int operating_years = 0;
  std::vector<double> margin;  ///< paths x operating years: revenue - power - O&M
  std::vector<char> delayed;   ///< per path: the first operating year is lost
  double idle_cost = 0;        ///< O&M of an idle site in a delayed year
};

/// One operating year on one path, line by line, for a reader of the outlook.
struct OperatingCell {
  double utilization = 0;
  double sales = 0;
  double power = 0;
};

OperatingPaths operating_paths(const CallObject& object, const Terms& terms,
                               const TeamProfile& team, const MemberView& member,
                               const MarketPaths& paths, bool non_capital, double capex,
                               const ProjectAssumptions& a,
                               std::vector<OperatingCell>* cells = nullptr) {
  const Beliefs& b = member.beliefs;
  const AgentSpec& agent = *member.agent;
  OperatingPaths out;
  out.operating_years = object.years;
  out.margin.resize(static_cast<std::size_t>(paths.paths) *
                    static_cast<std::size_t>(std::max(0, object.years)));
  out.delayed.resize(static_cast<std::size_t>(paths.paths));
  out.idle_cost = a.om_share_of_capex * capex;
  const double gpus = static_cast<double>(object.gpus);

  // Delay risk: congestion in the capital region, less for a team with secured power.
  double delay_probability =
      a.delay_probability * (1 - a.secured_power_delay_relief * team.capabilities.sites_power);
  if (!non_capital) delay_probability *= a.capital_site_delay_factor;
  delay_probability = std::min(1.0, delay_probability);

  // Revenue factors that do not change over time.
  double revenue_factor = 1 - object.public_use_share * object.public_use_discount;
  const double npu_penalty =
      agent.npu_penalty * (1 - a.chip_capability_npu_relief * team.capabilities.chips);
  revenue_factor *= 1 - terms.domestic_chip_share * npu_penalty;
  const double operations_factor =
      a.operations_utilization_base +
      a.operations_utilization_slope * team.capabilities.cloud_operations;
  const double demand_factor = non_capital ? 1 - agent.remote_demand_discount : 1.0;
  const double power_factor = non_capital ? 1 - a.non_capital_power_discount : 1.0;
  const std::vector<double>& price_factors = paths.price_factors(a.price_noise);
  const double first_year_price = first_operating_year_price(object, b, a);

  std::size_t cell = 0;
  for (int path = 0; path < paths.paths; ++path) {
    out.delayed[static_cast<std::size_t>(path)] =
        paths.delay_uniform[static_cast<std::size_t>(path)] < delay_probability ? 1 : 0;
    double price_trend = first_year_price;  // falls by price_decline every operating year
    for (int op = 0; op < object.years; ++op, price_trend *= 1 - b.price_decline, ++cell) {
      const int path_year = std::min(op, paths.years - 1);
      const double demand = paths.at(paths.demand, path, path_year);
      const double utilization = std::min(
          b.utilization_cap, b.utilization_base * operations_factor * demand_factor * demand);
      const double price = price_trend * paths.at(price_factors, path, path_year);
      const double revenue = gpus * 8760.0 * utilization * price * revenue_factor / 1e9;
      const double load = a.idle_power_share + (1 - a.idle_power_share) * utilization;
      const double power = gpus * object.kw_per_gpu * object.pue * 8760.0 * load *
                           b.power_price_krw_per_kwh * paths.at(paths.power, path, path_year) *
                           power_factor / 1e9;
      out.margin[cell] = revenue - power - a.om_share_of_capex * capex;
      if (cells) cells->push_back({utilization, revenue, power});
    }
  }
  return out;
}

/// Discount factors by year from the signing: 1 / (1 + rate)^year, as a running division.
std::vector<double> discount_factors(double rate, int years) {
  std::vector<double> factors(static_cast<std::size_t>(years) + 1);
  double discount = 1;
  for (double& d : factors) {
    d = discount;
    discount /= 1 + rate;
  }
  return factors;
}

/// What one path gives each party, as present values at the signing.
struct PathOutcome {
  double private_value = 0;    ///< the private side, at the risk-free rate
  double buy_back_payout = 0;  ///< undiscounted, paid by the private side at the end
  double market_lender = 0;    ///< the market lender's receipts, at the unpriced market rate
  double policy_lender = 0;    ///< the policy lender's receipts, at the policy loan's rate
  double credit_used = 0;      ///< tax credit used against tax due, at the risk-free rate
  double public_support = 0;   ///< shortfalls the public shareholder funded, at the risk-free rate
  bool defaulted = false;
};

/// Discount factors a waterfall needs: the private side's (risk-free), the market lender's
/// required rate and the policy loan's own rate, by year from the signing.
struct Discounts {
  std::vector<double> risk_free;
  std::vector<double> market;
  std::vector<double> policy;
};

/// The SPC's cash on every path that its shareholders fund or receive, year by year: what the
/// lender, the tax office and the support limit leave, before it is split between the
/// shareholders. It does not depend on the public equity share, preferred shares or a buy-back,
/// so the term sheets of an attribution that differ only in those share it.
struct SpcStreams {
  int years = 0;  ///< per path: total_years + 1
  /// paths x years, kept only when a sheet with preferred shares will split them (the sums
  /// below serve every other sheet): shortfall funded by shareholders, cash paid out to them.
  std::vector<double> funded, distributed;
  std::vector<PathOutcome> lender;  ///< per path: lenders' receipts, credit used, default
  double market_rate = 0;           ///< as priced
  /// Per path, the two rows summed: at the risk-free rate (present values at the signing) and
  /// compounded at `buy_back_rate` to the end of the contract (what the buy-back settles).
  /// Without preferred shares every split is linear in these sums, so a term sheet that only
  /// splits the cash differently is valued in one step per path instead of one per year.
  std::vector<double> funded_pv, distributed_pv, funded_fv, distributed_fv;
  double buy_back_rate = 0;
  void summarise(const double* funded_rows, const double* distributed_rows,
                 const std::vector<double>& risk_free, double rate) {
    const std::size_t n = lender.size();
    const auto width = static_cast<std::size_t>(years);
    funded_pv.assign(n, 0.0);
    distributed_pv.assign(n, 0.0);
    funded_fv.assign(n, 0.0);
    distributed_fv.assign(n, 0.0);
    buy_back_rate = rate;
    for (std::size_t p = 0; p < n; ++p) {
      const double* f = funded_rows + p * width;
      const double* d = distributed_rows + p * width;
      double fv_funded = 0, fv_distributed = 0;
      for (std::size_t y = 0; y < width; ++y) {
        funded_pv[p] += f[y] * risk_free[y];
        distributed_pv[p] += d[y] * risk_free[y];
        fv_funded = fv_funded * (1 + rate) + f[y];
        fv_distributed = fv_distributed * (1 + rate) + d[y];
      }
      funded_fv[p] = fv_funded;
      distributed_fv[p] = fv_distributed;
    }
  }
};

/// One path of the SPC, the part its shareholders do not change: corporate tax, the debt
/// waterfall with its reserve, shortfalls funded up to the support limit (without limit under
/// loss-bearing), default beyond it, and the cash left to pay out. Writes the path's row of
/// `funded` and `distributed`. `losses` is scratch space for the tax losses carried forward.
template <bool Record>
PathOutcome spc_path(const CallObject& object, const Terms& terms, const OperatingPaths& operating,
                     int path, const Project& project, const ProjectAssumptions& a,
                     const Discounts& discounts, std::vector<double>& losses, double* funded,
                     double* distributed, std::vector<CashFlowYear>* statement) {
  PathOutcome out;
  const int total = project.total_years;
  const int build = object.build_years;
  const bool delayed = operating.delayed[static_cast<std::size_t>(path)] != 0;
  const double* margins =
      operating.margin.data() +
      static_cast<std::size_t>(path) * static_cast<std::size_t>(operating.operating_years);
  // Without a waiver, the private side can claim part of a delay's lost margin as damages.
  const bool damages = delayed && !terms.damages_waiver;
  const double lost_margin = delayed && object.years > 0 ? std::max(0.0, margins[0]) : 0.0;
  const Financing& money = project.money;

  losses.assign(static_cast<std::size_t>(total) + 1, 0.0);
  double policy_left = project.policy.principal, market_left = project.market.principal;
  const double reserve_target = project.reserve_target(a);
  double reserve = 0, support_used = 0, credit_left = 0;
  double loss_pool = 0;  // losses carried forward, expired ones included: 0 skips the search
  int oldest_loss = 0;   // no loss left before this year
  int credit_expires = -1;
  for (int year = 0; year <= total; ++year) {
    const auto y = static_cast<std::size_t>(year);
    funded[y] = 0;
    distributed[y] = 0;
    const bool operating_year = year >= build && year < total;
    if (year > 0 && year < build) {
      // Interest during construction, capitalised (and not deducted from tax).
      policy_left *= 1 + project.policy.rate;
      market_left *= 1 + project.market.rate;
    }
    CashFlowYear line;
    if constexpr (Record) line.year = year;
    if (year >= build) {
      // Cash before debt: the year's margin (or, at the end, the assets' residual value).
      const int op = year - build;
      double ebitda = 0, deductions = 0;
      if (operating_year) {
        ebitda = delayed && op == 0 ? -operating.idle_cost : margins[op];
        if (damages && op == 0) ebitda += a.delay_damages_share * lost_margin;
        deductions = project.depreciation[static_cast<std::size_t>(op)];
      } else {
        ebitda = project.residual;
        deductions = project.book_value_at_end;
      }
      // Debt service due: the sculpted schedule, one year late on a delayed path; what the
      // schedule leaves unpaid at the end is due from the residual value.
      const int schedule_year = delayed ? op - 1 : op;
      // Interest accrues from year 1: a loan drawn at the signing owes none in year 0.
      const double policy_interest = year > 0 ? policy_left * project.policy.rate : 0.0;
      const double market_interest = year > 0 ? market_left * project.market.rate : 0.0;
      double policy_due = 0, market_due = 0;
      if (operating_year) {
        policy_due = std::min(policy_left + policy_interest,
                              project.policy.service(project.cover, schedule_year));
        market_due = std::min(market_left + market_interest,
                              project.market.service(project.cover, schedule_year));
      } else {
        policy_due = policy_left + policy_interest;
        market_due = market_left + market_interest;
      }
      // Corporate tax: losses carried forward (oldest first, within their life, up to the cap),
      // then the investment tax credit against tax due, carried forward within its life.
      double taxable = ebitda - deductions - policy_interest - market_interest;
      if (taxable < 0) {
        losses[y] = -taxable;
        loss_pool += -taxable;
        taxable = 0;
      } else if (loss_pool > 0) {
        double offset = a.loss_offset_cap * taxable;
        for (int from = std::max(oldest_loss, year - a.loss_carry_forward_years);
             from < year && offset > 0; ++from) {
          const double used = std::min(offset, losses[static_cast<std::size_t>(from)]);
          losses[static_cast<std::size_t>(from)] -= used;
          loss_pool -= used;
          offset -= used;
          taxable -= used;
          if (losses[static_cast<std::size_t>(from)] == 0 && from == oldest_loss) ++oldest_loss;
        }
      }
      double tax = a.corporate_tax_rate * taxable;
      if (operating_year && op == 0) {
        credit_left = money.tax_credit;
        credit_expires = year + a.credit_carry_forward_years;
      }
      if (year <= credit_expires && credit_left > 0) {
        // The credit lowers tax due down to the minimum tax, not below it.
        const double usable = std::max(0.0, tax - a.minimum_tax_rate * taxable);
        const double used = std::min(usable, credit_left);
        credit_left -= used;
        tax -= used;
        out.credit_used += used * discounts.risk_free[y];
        if constexpr (Record) line.credit_used = used;
      }
      if constexpr (Record) {
        line.debt_service_due = policy_due + market_due;
        line.ebitda = ebitda;
        line.depreciation = deductions;
        line.interest = policy_interest + market_interest;
        line.taxable_income = taxable;
        line.tax = tax;
      }
      double available = reserve + ebitda - tax;
      reserve = 0;
      double due = policy_due + market_due;
      if (!out.defaulted && available < due) {
        // A shortfall: loss-bearing makes the private side fund all of it; otherwise the
        // shareholders fund it by share up to their support limit, and beyond it the SPC
        // defaults.
        const double shortfall = due - available;
        if constexpr (Record) line.shortfall = shortfall;
        if (terms.loss_bearing || support_used + shortfall <= project.support_limit) {
          if (!terms.loss_bearing) support_used += shortfall;
          funded[y] = shortfall;
          available = due;
        } else {
          out.defaulted = true;
        }
      }
      if (out.defaulted) {
        // The lenders take what there is, up to what they are owed; the shareholders get
        // nothing until the debt is repaid and fund nothing (limited liability).
        due = policy_left + policy_interest + market_left + market_interest;
        const double owed = due;
        const double paid = std::clamp(available, 0.0, owed);
        const double policy_share = owed > 0 ? (policy_left + policy_interest) / owed : 0.0;
        policy_due = paid * policy_share;
        market_due = paid - policy_due;
        available -= paid;
      } else {
        available -= due;
      }
      policy_left += policy_interest - policy_due;
      market_left += market_interest - market_due;
      if constexpr (Record) {
        line.policy_service = policy_due;
        line.market_service = market_due;
        line.debt_left = policy_left + market_left;
        line.defaulted = out.defaulted;
      }
      out.policy_lender += policy_due * discounts.policy[y];
      out.market_lender += market_due * discounts.market[y];
      // What is left: the reserve first (while operating and indebted), then dividends.
      if (operating_year && !out.defaulted && market_left + policy_left > 1e-9) {
        reserve = std::min(std::max(0.0, available), reserve_target);
        available -= reserve;
      }
      distributed[y] = std::max(0.0, available);
      if constexpr (Record) line.reserve = reserve;
    }
    if constexpr (Record) {
      line.support_left = terms.loss_bearing ? std::numeric_limits<double>::infinity()
                                             : project.support_limit - support_used;
      statement->push_back(line);
    }
  }
  return out;
}

// The four-path waterfall and its helpers pass 32-byte vectors by value, whose calling convention
// differs with and without AVX. On x86 they are all built for AVX2 and always inlined (also
// without optimisation), so no call crosses the two conventions; the waterfall runs only where the
// processor has AVX2 (spc_paths_4_supported) and the one-path waterfall, which gives the same bits,
// runs elsewhere. Other processors build the vectors from their own instructions.
#if defined(__x86_64__) || defined(__i386__)
#define TENDERLAB_LANES_X86 1
#define TENDERLAB_LANES_TARGET __attribute__((target("avx2")))
#else
#define TENDERLAB_LANES_X86 0
#define TENDERLAB_LANES_TARGET
#endif
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
namespace lanes {
using Real = double __attribute__((vector_size(4 * sizeof(double))));
using Mask = std::int64_t __attribute__((vector_size(4 * sizeof(std::int64_t))));
constexpr int width = 4;
[[gnu::always_inline]] TENDERLAB_LANES_TARGET inline Real all(double x) {
  return Real{x, x, x, x};
}
[[gnu::always_inline]] TENDERLAB_LANES_TARGET inline Mask all(bool x) {
  const std::int64_t m = x ? -1 : 0;
  return Mask{m, m, m, m};
}
/// std::min and std::max, as <algorithm> defines them (the order of the comparison matters for
/// equal values and signed zeros).
[[gnu::always_inline]] TENDERLAB_LANES_TARGET inline Real min(Real a, Real b) {
  return b < a ? b : a;
}
[[gnu::always_inline]] TENDERLAB_LANES_TARGET inline Real max(Real a, Real b) {
  return a < b ? b : a;
}
}  // namespace lanes

/// The years of a contract (construction included, plus the end) the four-path waterfall keeps
/// losses for; longer contracts take the one-path waterfall.
constexpr std::size_t max_lane_years = 64;

/// Whether this processor runs the four-path waterfall (AVX2 on x86; always elsewhere). Asked
/// once: the answer cannot change while the program runs.
bool spc_paths_4_supported() {
#if TENDERLAB_LANES_X86
  static const bool supported = __builtin_cpu_supports("avx2") != 0;
  return supported;
#else
  return true;
#endif
}

/// spc_path<false> for the four paths `ids` at once, lane by lane the same operations on the same
/// numbers in the same order, so the same bits: each branch of spc_path is computed for every
/// lane and selected, which spares the mispredicted branches of paths that default or carry
/// losses at random. Writes each path's row (`width` years) of `funded_rows` and
/// `distributed_rows` and its outcome. spc_path stays the reference (and builds the cash-flow
/// statement); a test checks that the two agree bit for bit. Call it only if
/// spc_paths_4_supported(). `MinimumTax`: whether a minimum tax bounds the credit (a positive
/// minimum_tax_rate); without one the waterfall skips its arithmetic.
template <bool MinimumTax>
TENDERLAB_LANES_TARGET void spc_paths_4(const CallObject& object, const Terms& terms,
                                        const OperatingPaths& operating, const std::size_t* ids,
                                        const Project& project, const ProjectAssumptions& a,
                                        const Discounts& discounts, double* funded_rows,
                                        double* distributed_rows, std::size_t width,
                                        PathOutcome* outcomes) {
  using lanes::all;
  using lanes::Mask;
  using lanes::Real;
  constexpr int n = lanes::width;
  const int total = project.total_years;
  const int build = object.build_years;
  const auto op_years = static_cast<std::size_t>(operating.operating_years);
  const double* margins[n];
  Mask delayed{};
  for (int l = 0; l < n; ++l) {
    margins[l] = operating.margin.data() + ids[l] * op_years;
    delayed[l] = operating.delayed[ids[l]] != 0 ? -1 : 0;
  }
  const Mask damages = delayed & all(!terms.damages_waiver);
  Real lost_margin = all(0.0);
  if (object.years > 0) {
    Real first{};
    for (int l = 0; l < n; ++l)
      first[l] = margins[l][0];
    lost_margin = delayed ? lanes::max(all(0.0), first) : all(0.0);
  }
  const Financing& money = project.money;
  // Losses carried forward, by year (zero until a year makes one).
  Real losses[max_lane_years];
  for (int y = 0; y <= total; ++y)
    losses[y] = all(0.0);
  Real policy_left = all(project.policy.principal), market_left = all(project.market.principal);
  const Real reserve_target = all(project.reserve_target(a));
  Real reserve = all(0.0), support_used = all(0.0), credit_left = all(0.0), loss_pool = all(0.0);
  Real credit_used = all(0.0), policy_lender = all(0.0), market_lender = all(0.0);
  Mask defaulted = all(false);
  int credit_expires = -1;
  for (int year = 0; year <= total; ++year) {
    const auto y = static_cast<std::size_t>(year);
    Real funded = all(0.0), distributed = all(0.0);
    const bool operating_year = year >= build && year < total;
    if (year > 0 && year < build) {
      policy_left *= all(1 + project.policy.rate);
      market_left *= all(1 + project.market.rate);
    }
    if (year >= build) {
      const int op = year - build;
      Real ebitda{}, deductions{};
      if (operating_year) {
        Real margin{};
        for (int l = 0; l < n; ++l)
          margin[l] = margins[l][op];
        ebitda = op == 0 ? (delayed ? all(-operating.idle_cost) : margin) : margin;
        if (op == 0) ebitda = damages ? ebitda + all(a.delay_damages_share) * lost_margin : ebitda;
        deductions = all(project.depreciation[static_cast<std::size_t>(op)]);
      } else {
        ebitda = all(project.residual);
        deductions = all(project.book_value_at_end);
      }
      const Real policy_interest = year > 0 ? policy_left * all(project.policy.rate) : all(0.0);
      const Real market_interest = year > 0 ? market_left * all(project.market.rate) : all(0.0);
      Real policy_due{}, market_due{};
      if (operating_year) {
        const Real policy_service = delayed ? all(project.policy.service(project.cover, op - 1))
                                            : all(project.policy.service(project.cover, op));
        const Real market_service = delayed ? all(project.market.service(project.cover, op - 1))
                                            : all(project.market.service(project.cover, op));
        policy_due = lanes::min(policy_left + policy_interest, policy_service);
        market_due = lanes::min(market_left + market_interest, market_service);
      } else {
        policy_due = policy_left + policy_interest;
        market_due = market_left + market_interest;
      }
      Real taxable = ebitda - deductions - policy_interest - market_interest;
      const Mask loss = taxable < all(0.0);
      losses[y] = loss ? -taxable : all(0.0);
      loss_pool = loss ? loss_pool + -taxable : loss_pool;
      // Lanes that make no loss and carry some offset up to the cap, oldest first; a lane with
      // nothing left to offset subtracts zeros, which changes no bit.
      Real offset = (~loss & (loss_pool > all(0.0))) ? all(a.loss_offset_cap) * taxable : all(0.0);
      taxable = loss ? all(0.0) : taxable;
      for (int from = std::max(0, year - a.loss_carry_forward_years); from < year; ++from) {
        Real& carried = losses[static_cast<std::size_t>(from)];
        const Real used = offset > all(0.0) ? lanes::min(offset, carried) : all(0.0);
        carried -= used;
        loss_pool -= used;
        offset -= used;
        taxable -= used;
      }
      Real tax = all(a.corporate_tax_rate) * taxable;
      if (operating_year && op == 0) {
        credit_left = all(money.tax_credit);
        credit_expires = year + a.credit_carry_forward_years;
      }
      if (year <= credit_expires) {
        const Mask has_credit = credit_left > all(0.0);
        Real usable = tax;
        if constexpr (MinimumTax)
          usable = lanes::max(all(0.0), tax - all(a.minimum_tax_rate) * taxable);
        const Real used = lanes::min(usable, credit_left);
        credit_left = has_credit ? credit_left - used : credit_left;
        tax = has_credit ? tax - used : tax;
        credit_used = has_credit ? credit_used + used * all(discounts.risk_free[y]) : credit_used;
      }
      Real available = reserve + ebitda - tax;
      reserve = all(0.0);
      const Real due = policy_due + market_due;
      const Mask short_of_cash = ~defaulted & (available < due);
      const Real shortfall = due - available;
      const Mask supported =
          terms.loss_bearing
              ? short_of_cash
              : short_of_cash & (support_used + shortfall <= all(project.support_limit));
      if (!terms.loss_bearing) support_used = supported ? support_used + shortfall : support_used;
      funded = supported ? shortfall : all(0.0);
      available = supported ? due : available;
      defaulted |= short_of_cash & ~supported;
      // In default the lenders take what there is, pro rata to what they are owed.
      const Real policy_owed = policy_left + policy_interest;
      const Real owed = policy_owed + market_left + market_interest;
      const Real paid =
          available < all(0.0) ? all(0.0) : (owed < available ? owed : available);  // std::clamp
      const Real policy_share = owed > all(0.0) ? policy_owed / owed : all(0.0);
      const Real policy_paid = paid * policy_share;
      policy_due = defaulted ? policy_paid : policy_due;
      market_due = defaulted ? paid - policy_paid : market_due;
      available = defaulted ? available - paid : available - due;
      policy_left += policy_interest - policy_due;
      market_left += market_interest - market_due;
      policy_lender += policy_due * all(discounts.policy[y]);
      market_lender += market_due * all(discounts.market[y]);
      if (operating_year) {
        const Mask keeps = ~defaulted & (market_left + policy_left > all(1e-9));
        const Real kept = lanes::min(lanes::max(all(0.0), available), reserve_target);
        reserve = keeps ? kept : all(0.0);
        available = keeps ? available - kept : available;
      }
      distributed = lanes::max(all(0.0), available);
    }
    for (int l = 0; l < n; ++l) {
      funded_rows[ids[l] * width + y] = funded[l];
      distributed_rows[ids[l] * width + y] = distributed[l];
    }
  }
  for (int l = 0; l < n; ++l) {
    PathOutcome& out = outcomes[ids[l]];
    out = PathOutcome{};
    out.credit_used = credit_used[l];
    out.policy_lender = policy_lender[l];
    out.market_lender = market_lender[l];
    out.defaulted = defaulted[l] != 0;
  }
}

#pragma GCC diagnostic pop

/// One path of the SPC as its shareholders see it: equity paid in, shortfalls funded (by share,
/// or all of them by the private side under loss-bearing), dividends (public principal first
/// when preferred), and the buy-back at the end: the public side sells its stake to the private
/// side at principal plus return whenever what it got back falls short of that, so it is
/// exercised on bad paths only, a put written to the state paid on the same paths as
/// everything else. Adds the private side's value, the buy-back and the public support to `out`.
template <bool Record>
void split_path(const Terms& terms, const Project& project, const Discounts& discounts,
                const double* funded, const double* distributed, PathOutcome& out,
                std::vector<CashFlowYear>* statement) {
  const int total = project.total_years;
  const double s = terms.public_equity_share;
  const Financing& money = project.money;
  const int paid_in_years = std::max(1, terms.paid_in_years);
  const double private_paid_in = money.private_equity / paid_in_years;
  const double public_paid_in = money.public_equity / paid_in_years;
  const double rb = terms.buy_back.return_rate;
  double public_received = 0;                    // compounded at the buy-back rate
  double public_unrepaid = money.public_equity;  // for preferred shares
  for (int year = 0; year <= total; ++year) {
    const auto y = static_cast<std::size_t>(year);
    public_received *= 1 + rb;
    double private_flow = 0;
    if (year < paid_in_years) {
      private_flow -= private_paid_in;
      public_received -= public_paid_in;
    }
    [[maybe_unused]] CashFlowYear* line = nullptr;
    if constexpr (Record) {
      line = &(*statement)[y];
      line->equity_paid_in = -private_flow;
    }
    if (const double shortfall = funded[y]; shortfall > 0) {
      if (terms.loss_bearing) {
        private_flow -= shortfall;
        if constexpr (Record) line->private_support = shortfall;
      } else {
        private_flow -= (1 - s) * shortfall;
        if constexpr (Record) line->private_support = (1 - s) * shortfall;
        public_received -= s * shortfall;
        out.public_support += s * shortfall * discounts.risk_free[y];
        if constexpr (Record) line->public_support = s * shortfall;
      }
    }
    if (const double cash = distributed[y]; cash > 0) {
      double to_public = 0, rest = cash;
      if (terms.public_preferred && public_unrepaid > 0) {
        to_public = std::min(rest, public_unrepaid);
        public_unrepaid -= to_public;
        rest -= to_public;
      }
      to_public += rest * s;
      private_flow += cash - to_public;
      public_received += to_public;
      if constexpr (Record) {
        line->private_dividends = cash - to_public;
        line->public_dividends = to_public;
      }
    }
    if (year == total && terms.buy_back.enabled) {
      out.buy_back_payout = std::max(0.0, -public_received);
      private_flow -= out.buy_back_payout;
      if constexpr (Record) line->buy_back = out.buy_back_payout;
    }
    if constexpr (Record) line->private_flow = private_flow;
    out.private_value += private_flow * discounts.risk_free[y];
  }
}

/// `split_path` for a sheet without preferred shares, from each path's sums in SpcStreams: the
/// same flows, added up in another order.
class SummedSplit {
 public:
  SummedSplit(const Terms& terms, const Project& project, const Discounts& discounts)
      : terms_(terms), s_(terms.public_equity_share) {
    const int total = project.total_years;
    const int paid_in_years = std::max(1, terms.paid_in_years);
    const double g = 1 + terms.buy_back.return_rate;
    // Equity is paid in over the first years (those within the contract).
    double paid_in_pv = 0, paid_in_fv = 0;
    for (int year = 0; year < std::min(paid_in_years, total + 1); ++year) {
      paid_in_pv += discounts.risk_free[static_cast<std::size_t>(year)];
      paid_in_fv += std::pow(g, total - year);
    }
    private_paid_in_pv_ = project.money.private_equity / paid_in_years * paid_in_pv;
    public_paid_in_fv_ = project.money.public_equity / paid_in_years * paid_in_fv;
    end_discount_ = discounts.risk_free[static_cast<std::size_t>(total)];
  }
  /// Whether the sums in `streams` serve this sheet.
  bool applies(const SpcStreams& streams) const {
    return !terms_.public_preferred &&
           (!terms_.buy_back.enabled || terms_.buy_back.return_rate == streams.buy_back_rate);
  }
  void operator()(const SpcStreams& streams, std::size_t path, PathOutcome& out) const {
    const double funded = streams.funded_pv[path];
    const bool lb = terms_.loss_bearing;
    double value = (1 - s_) * streams.distributed_pv[path] - (lb ? funded : (1 - s_) * funded) -
                   private_paid_in_pv_;
    if (!lb) out.public_support += s_ * funded;
    if (terms_.buy_back.enabled) {
      const double received = s_ * streams.distributed_fv[path] -
                              (lb ? 0.0 : s_ * streams.funded_fv[path]) - public_paid_in_fv_;
      out.buy_back_payout = std::max(0.0, -received);
      value -= out.buy_back_payout * end_discount_;
    }
    out.private_value += value;
  }

 private:
  const Terms& terms_;
  double s_;
  double private_paid_in_pv_ = 0;
  double public_paid_in_fv_ = 0;
  double end_discount_ = 1;
};

/// The project on every path for one term sheet: the lender's default spread priced on the
/// paths, then the outcome of each path under it.
struct ProjectRun {
  Project project;
  std::shared_ptr<const SpcStreams> streams;
  std::vector<PathOutcome> outcomes;  ///< per path, unless only the values were asked for
  /// Per path: the private side's value and the buy-back it pays (also in `outcomes`).
  std::vector<double> private_values, buy_back_payouts;
};

/// Sets the market loan's rate, keeping its principal: the spread raises its service.
void reprice_market_debt(Project& project, double rate, int build_years) {
  Loan& market = project.market;
  market.rate = rate;
  const double cover = present_value(project.cover, rate, market.years);
  market.share = cover > 0 ? market.principal * std::pow(1 + rate, build_years - 1) / cover : 0.0;
}

Discounts discounts_for(const Terms& terms, int total, const ProjectAssumptions& a) {
  return Discounts{discount_factors(a.risk_free_rate, total),
                   discount_factors(a.market_debt_rate, total),
                   discount_factors(terms.policy_loan.rate, total)};
}

/// How the SPC's streams are kept for the sheets that share them: compounded at the buy-back
/// return rate of the sheet (or of the call, for the coalitions of an attribution), and year by
/// year only when one of them has preferred shares.
struct StreamUse {
  double buy_back_rate = 0;
  bool preferred = false;
  static StreamUse of(const Terms& terms) {
    return {terms.buy_back.return_rate, terms.public_preferred};
  }
};

/// A sheet's first pricing pass (at the lender's base rate, before any repricing), kept so that a
/// sheet differing from it in one clause that acts on some paths only can copy the others.
struct FirstPass {
  std::size_t years = 0;                    ///< per path
  std::vector<PathOutcome> lender;          ///< per path, as spc_path returned it
  std::vector<double> funded, distributed;  ///< paths x years
};

/// Which paths of a kept first pass another sheet shares. The damages waiver only acts on a
/// delayed path; loss-bearing only on a path that, without it, exhausts the shareholders' support
/// and defaults: elsewhere both waterfalls take the same branches on the same numbers.
enum class SharedPaths { undelayed, undefaulted };

struct FirstPassReuse {
  const FirstPass* pass = nullptr;
  SharedPaths paths = SharedPaths::undelayed;
  bool shares(const OperatingPaths& operating, std::size_t path) const {
    return paths == SharedPaths::undelayed ? operating.delayed[path] == 0
                                           : !pass->lender[path].defaulted;
  }
};

/// `known`: the SPC's streams as computed before for a sheet that differs from this one only in
/// how the shareholders split the cash (the lender prices the same debt, the tax office sees the
/// same profits): only the split is computed again. `use`: how the streams computed here are kept.
/// `reuse`: another sheet's first pass, for the paths it shares with this one; `keep`: where to
/// keep this sheet's first pass for others. `values_only`: the valuation reads only the private
/// values and buy-backs, so the paths' other outcomes are not collected.
ProjectRun run_project(const CallObject& object, const Terms& terms, const TeamProfile& team,
                       const MemberView& member, const MarketPaths& paths, bool non_capital,
                       const ProjectAssumptions& a, const OperatingPaths* cached, StreamUse use,
                       bool values_only, std::shared_ptr<const SpcStreams> known = nullptr,
                       FirstPassReuse reuse = {}, FirstPass* keep = nullptr) {
  ProjectRun run;
  run.project = size_project(object, terms, team, non_capital, member.beliefs, a);
  const int total = run.project.total_years;
  const Discounts discounts = discounts_for(terms, total, a);
  const auto path_count = static_cast<std::size_t>(paths.paths);
  const SummedSplit summed(terms, run.project, discounts);
  if (known) {
    if (known->market_rate != run.project.market.rate)
      reprice_market_debt(run.project, known->market_rate, object.build_years);
    run.streams = std::move(known);
  } else {
    std::optional<OperatingPaths> computed;
    if (!cached)
      computed = operating_paths(object, terms, team, member, paths, non_capital,
                                 run.project.money.capex(), a);
    const OperatingPaths& operating = cached ? *cached : *computed;
    auto streams = std::make_shared<SpcStreams>();
    streams->years = total + 1;
    // Every cell is written by spc_path; the scratch rows are reused across valuations.
    thread_local std::vector<double> funded_rows, distributed_rows;
    const std::size_t cells = path_count * static_cast<std::size_t>(streams->years);
    if (funded_rows.size() < cells) {
      funded_rows.resize(cells);
      distributed_rows.resize(cells);
    }
    streams->lender.resize(path_count);
    std::vector<double> losses;
    double market_rate = a.market_debt_rate;
    const auto width = static_cast<std::size_t>(streams->years);
    for (int pass = 0;; ++pass) {
      double received = 0;
      const bool reusing = pass == 0 && reuse.pass && reuse.pass->years == width &&
                           reuse.pass->lender.size() == path_count;
      // The paths to compute, four at a time; the rest are copied from the other sheet.
      thread_local std::vector<std::size_t> todo;
      todo.clear();
      for (std::size_t p = 0; p < path_count; ++p) {
        const std::size_t row = p * width;
        if (reusing && reuse.shares(operating, p)) {
          streams->lender[p] = reuse.pass->lender[p];
          std::copy_n(&reuse.pass->funded[row], width, &funded_rows[row]);
          std::copy_n(&reuse.pass->distributed[row], width, &distributed_rows[row]);
        } else {
          todo.push_back(p);
        }
      }
      std::size_t next = 0;
      if (width <= max_lane_years && detail::valuation_shortcuts().four_path_waterfall &&
          spc_paths_4_supported())
        for (; next + lanes::width <= todo.size(); next += lanes::width) {
          if (a.minimum_tax_rate > 0)
            spc_paths_4<true>(object, terms, operating, &todo[next], run.project, a, discounts,
                              funded_rows.data(), distributed_rows.data(), width,
                              streams->lender.data());
          else
            spc_paths_4<false>(object, terms, operating, &todo[next], run.project, a, discounts,
                               funded_rows.data(), distributed_rows.data(), width,
                               streams->lender.data());
        }
      for (; next < todo.size(); ++next) {
        const std::size_t p = todo[next];
        const std::size_t row = p * width;
        streams->lender[p] =
            spc_path<false>(object, terms, operating, static_cast<int>(p), run.project, a,
                            discounts, losses, &funded_rows[row], &distributed_rows[row], nullptr);
      }
      for (std::size_t p = 0; p < path_count; ++p)
        received += streams->lender[p].market_lender;
      if (pass == 0 && keep) {
        keep->years = width;
        keep->lender = streams->lender;
        keep->funded.assign(funded_rows.begin(),
                            funded_rows.begin() + static_cast<std::ptrdiff_t>(cells));
        keep->distributed.assign(distributed_rows.begin(),
                                 distributed_rows.begin() + static_cast<std::ptrdiff_t>(cells));
      }
      const double principal = run.project.market.principal;
      if (pass >= a.lender_pricing_iterations || !(principal > 0)) break;
      // The lender expects `received` (at its required rate) for `principal`: it raises its
      // rate until the promised service, scaled up by the expected shortfall, would make it
      // whole.
      const double expected = received / static_cast<double>(paths.paths);
      if (expected >= principal * (1 - 1e-6)) break;
      const double needed =
          present_value(run.project.cover, market_rate, run.project.market.years) *
          (expected / principal);
      const double next_rate =
          rate_for_value(run.project.cover, run.project.market.years, needed, market_rate);
      if (!(next_rate > market_rate + 1e-9)) break;
      // The amount lent stays as sized at the base rate (so every party sees the same
      // financing).
      market_rate = next_rate;
      reprice_market_debt(run.project, market_rate, object.build_years);
    }
    streams->market_rate = market_rate;
    streams->summarise(funded_rows.data(), distributed_rows.data(), discounts.risk_free,
                       use.buy_back_rate);
    if (use.preferred || !summed.applies(*streams)) {
      const auto end = static_cast<std::ptrdiff_t>(cells);
      streams->funded.assign(funded_rows.begin(), funded_rows.begin() + end);
      streams->distributed.assign(distributed_rows.begin(), distributed_rows.begin() + end);
    }
    run.streams = std::move(streams);
  }
  const SpcStreams& streams = *run.streams;
  const bool from_sums = summed.applies(streams);
  if (!from_sums && streams.funded.empty())
    throw ModelError("run_project: the SPC's streams were not kept year by year");
  if (!values_only) run.outcomes.assign(streams.lender.begin(), streams.lender.end());
  run.private_values.resize(path_count);
  run.buy_back_payouts.resize(path_count);
  for (std::size_t p = 0; p < path_count; ++p) {
    // The split adds to what the lender's pass left, which has no private value or buy-back yet:
    // a fresh outcome gives the same values.
    PathOutcome fresh;
    PathOutcome& out = values_only ? fresh : run.outcomes[p];
    if (from_sums) {
      summed(streams, p, out);
    } else {
      const std::size_t row = p * static_cast<std::size_t>(streams.years);
      split_path<false>(terms, run.project, discounts, &streams.funded[row],
                        &streams.distributed[row], out, nullptr);
    }
    run.private_values[p] = out.private_value;
    run.buy_back_payouts[p] = out.buy_back_payout;
  }
  return run;
}

/// The member's valuation at one site. `use` as for run_project. `cached`, when given,
/// holds the operating side computed for the same team, member, paths, site and chip mandate.
Valuation value_for_site(const CallObject& object, const Terms& terms, const TeamProfile& team,
                         const MemberView& member, const MarketPaths& paths, bool non_capital,
                         const ProjectAssumptions& assumptions, StreamUse use,
                         const OperatingPaths* cached = nullptr,
                         std::shared_ptr<const SpcStreams> known = nullptr,
                         std::shared_ptr<const SpcStreams>* streams = nullptr,
                         FirstPassReuse reuse = {}, FirstPass* keep = nullptr) {
  const AgentSpec& agent = *member.agent;
  const ProjectRun run = run_project(object, terms, team, member, paths, non_capital, assumptions,
                                     cached, use, true, std::move(known), reuse, keep);
  if (streams) *streams = run.streams;
  const Financing& money = run.project.money;
  std::vector<double> npvs(run.private_values.size());
  std::vector<double> payouts(run.buy_back_payouts.size());
  for (std::size_t p = 0; p < npvs.size(); ++p) {
    npvs[p] = member.share * run.private_values[p];
    payouts[p] = member.share * run.buy_back_payouts[p];
  }
  Valuation v;
  const double n = static_cast<double>(npvs.size());
  v.expected_npv = std::accumulate(npvs.begin(), npvs.end(), 0.0) / n;
  double ss = 0;
  for (double x : npvs)
    ss += (x - v.expected_npv) * (x - v.expected_npv);
  v.npv_sd = npvs.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
  v.equity_commitment = member.share * money.private_equity;
  // The buy-back's expected cost is in the paths; what a board provisions for, and what counts
  // against the member's capital limit, is its worst plausible payout.
  if (terms.buy_back.enabled && !payouts.empty()) {
    const auto at = static_cast<std::size_t>(
        std::ceil(assumptions.contingent_liability_quantile * static_cast<double>(payouts.size())));
    const auto quantile = payouts.begin() + static_cast<std::ptrdiff_t>(
                                                std::min(payouts.size() - 1, at > 0 ? at - 1 : 0));
    std::nth_element(payouts.begin(), quantile, payouts.end());
    v.contingent_liability = *quantile;
  }
  // Risk aversion relative to what the member puts at stake in this project.
  const double stake = v.equity_commitment + v.contingent_liability;
  const double absolute_risk_aversion = stake > 0 ? agent.risk_aversion / stake : 0.0;
  v.certainty_equivalent = certainty_equivalent(npvs, absolute_risk_aversion);
  v.win_probability = member.win_probability;
  v.non_capital_site = non_capital;
  v.capital_limit = agent.max_commitment * agent.capital_bn_krw;
  v.capital_cost = assumptions.capital_shadow_price * std::max(0.0, stake - v.capital_limit);
  // A state majority brings loss of management control and the risk of being designated a
  // public institution, which the member prices as a share of the equity it puts in.
  v.control_cost = terms.public_equity_share > assumptions.control_threshold
                       ? agent.control_aversion * v.equity_commitment
                       : 0.0;
  v.bid_cost = agent.bid_cost_bn_krw * member.share;
  v.strategic_value = agent.strategic_value_bn_krw;
  return v;
}

/// The valuation a site rule gives the member: the site it names, or under `any` the better of
/// the two. `at_site(non_capital)` values one site.
template <class AtSite>
Valuation under_site_rule(SiteRule rule, AtSite&& at_site) {
  switch (rule) {
    case SiteRule::capital:
      return at_site(false);
    case SiteRule::non_capital:
      return at_site(true);
    case SiteRule::any:
      break;
  }
  Valuation capital = at_site(false);
  Valuation remote = at_site(true);
  return capital.value() >= remote.value() ? capital : remote;
}

void check_member(const MemberView& member, const std::string& caller) {
  if (!member.agent) throw ModelError(caller + ": member without agent");
  if (!(member.share > 0 && member.share <= 1))
    throw ModelError(caller + ": member share outside (0, 1]");
}

}  // namespace

Financing project_financing(const CallObject& object, const Terms& terms, const TeamProfile& team,
                            bool non_capital, const Beliefs& lender_view,
                            const ProjectAssumptions& assumptions) {
  return size_project(object, terms, team, non_capital, lender_view, assumptions).money;
}

namespace {

/// The statement of one path of `operating`, under the project as `run` sized and priced it.
CashFlowStatement statement_of_path(const CallObject& object, const Terms& terms,
                                    const ProjectRun& run, const OperatingPaths& operating,
                                    int path, const ProjectAssumptions& assumptions) {
  CashFlowStatement statement;
  statement.financing = run.project.money;
  statement.market_debt_rate = run.project.market.rate;
  statement.base_case_cover = run.project.cover;
  const Discounts discounts = discounts_for(terms, run.project.total_years, assumptions);
  std::vector<double> losses;
  std::vector<double> funded(static_cast<std::size_t>(run.project.total_years) + 1);
  std::vector<double> distributed(funded.size());
  PathOutcome outcome =
      spc_path<true>(object, terms, operating, path, run.project, assumptions, discounts, losses,
                     funded.data(), distributed.data(), &statement.years);
  split_path<true>(terms, run.project, discounts, funded.data(), distributed.data(), outcome,
                   &statement.years);
  statement.private_value = outcome.private_value;
  statement.defaulted = outcome.defaulted;
  return statement;
}

}  // namespace

CashFlowStatement cash_flow_statement(const CallObject& object, const Terms& terms,
                                      const TeamProfile& team, const MemberView& member,
                                      const MarketPaths& paths, bool non_capital, int path,
                                      const ProjectAssumptions& assumptions) {
  check_member(member, "cash_flow_statement");
  if (path < 0 || path >= paths.paths)
    throw ModelError("cash_flow_statement: path " + std::to_string(path) + " outside [0, " +
                     std::to_string(paths.paths) + ")");
  const ProjectRun run = run_project(object, terms, team, member, paths, non_capital, assumptions,
                                     nullptr, StreamUse::of(terms), false);
  const OperatingPaths operating = operating_paths(object, terms, team, member, paths, non_capital,
                                                   run.project.money.capex(), assumptions);
  return statement_of_path(object, terms, run, operating, path, assumptions);
}

CashFlowStatement statement_on_margins(const CallObject& object, const Terms& terms,
                                       const TeamProfile& team, const MemberView& member,
                                       const MarketPaths& paths, bool non_capital,
                                       const std::vector<double>& margins, bool delayed,
                                       const ProjectAssumptions& assumptions) {
  check_member(member, "statement_on_margins");
  if (margins.size() != static_cast<std::size_t>(std::max(0, object.years)))
    throw ModelError("statement_on_margins: " + std::to_string(margins.size()) + " margins for " +
                     std::to_string(object.years) + " operating years");
  const ProjectRun run = run_project(object, terms, team, member, paths, non_capital, assumptions,
                                     nullptr, StreamUse::of(terms), true);
  OperatingPaths operating;
  operating.operating_years = object.years;
  operating.margin = margins;
  operating.delayed = {static_cast<char>(delayed ? 1 : 0)};
  operating.idle_cost = assumptions.om_share_of_capex * run.project.money.capex();
  return statement_of_path(object, terms, run, operating, 0, assumptions);
}

PublicCost public_ledger(const CallObject& object, const Terms& terms, const TeamProfile& team,
                         const MemberView& lead, const MarketPaths& paths, bool non_capital,
                         const ProjectAssumptions& assumptions) {
  check_member(lead, "public_ledger");
  const ProjectRun run = run_project(object, terms, team, lead, paths, non_capital, assumptions,
                                     nullptr, StreamUse::of(terms), false);
  const Financing& money = run.project.money;
  PublicCost cost;
  cost.equity = money.public_equity;
  cost.loan_subsidy = money.policy_loan_subsidy;
  double credit = 0, repaid = 0, support = 0;
  for (const PathOutcome& outcome : run.outcomes) {
    credit += outcome.credit_used;
    repaid += outcome.policy_lender;
    support += outcome.public_support;
  }
  const double n = static_cast<double>(run.outcomes.size());
  cost.tax_expenditure = credit / n;
  cost.expected_loan_loss = std::max(0.0, money.policy_loan - repaid / n);
  cost.shortfall_support = support / n;
  return cost;
}

OperatingOutlook operating_outlook(const CallObject& object, const Terms& terms,
                                   const TeamProfile& team, const MemberView& lead,
                                   const MarketPaths& paths, bool non_capital,
                                   const ProjectAssumptions& assumptions) {
  check_member(lead, "operating_outlook");
  const Project project = size_project(object, terms, team, non_capital, lead.beliefs, assumptions);
  std::vector<OperatingCell> cells;
  operating_paths(object, terms, team, lead, paths, non_capital, project.money.capex(), assumptions,
                  &cells);
  OperatingOutlook outlook;
  outlook.om_per_year = assumptions.om_share_of_capex * project.money.capex();
  outlook.lender_base_case = project.cover;
  const auto years = static_cast<std::size_t>(std::max(0, object.years));
  outlook.years.resize(years);
  for (std::size_t cell = 0; cell < cells.size(); ++cell) {
    OperatingOutlook::Year& year = outlook.years[cell % years];
    year.utilization += cells[cell].utilization;
    year.sales += cells[cell].sales;
    year.power += cells[cell].power;
  }
  const double n = std::max(1, paths.paths);
  for (OperatingOutlook::Year& year : outlook.years) {
    year.utilization /= n;
    year.sales /= n;
    year.power /= n;
    year.margin = year.sales - year.power - outlook.om_per_year;
  }
  return outlook;
}

Valuation value_terms(const CallObject& object, const Terms& terms, const TeamProfile& team,
                      const MemberView& member, const MarketPaths& paths,
                      const ProjectAssumptions& assumptions) {
  check_member(member, "value_terms");
  return under_site_rule(terms.site, [&](bool non_capital) {
    return value_for_site(object, terms, team, member, paths, non_capital, assumptions,
                          StreamUse::of(terms));
  });
}

TermAttribution attribute_terms(const CallObject& object, const Terms& terms,
                                const TeamProfile& team, const MemberView& member,
                                const MarketPaths& paths, const ProjectAssumptions& assumptions,
                                const ValuationSettings& settings, Rng* sampling) {
  const std::vector<std::string>& names = term_names();
  // The players: the clauses away from their neutral level. A clause at its neutral level
  // changes no coalition's terms, so its Shapley value is 0 and it need not be enumerated.
  std::vector<std::size_t> active;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (!(neutralise(terms, names[i]) == terms)) active.push_back(i);
  const int players = static_cast<int>(active.size());
  check_member(member, "attribute_terms");

  // Coalitions share most of their work. The operating side depends only on the site and the chip
  // mandate, which take at most two levels each. A site-level valuation does not read the site
  // rule, so a coalition with the call's site rule reuses the valuation of the same coalition
  // under `any` at that site.
  struct OperatingEntry {
    bool non_capital;
    double chip_share;
    OperatingPaths operating;
  };
  std::vector<OperatingEntry> operating_cache;
  std::map<std::uint64_t, Valuation> site_valuations;
  Coalition site_bit = 0;
  // The clauses that only split the SPC's cash between its shareholders: the lender, who sees
  // the SPC's cash, prices the market debt alike with or without them.
  Coalition split_bits = 0;
  // The clauses that act on some paths only (see SharedPaths).
  Coalition waiver_bit = 0, loss_bearing_bit = 0;
  for (std::size_t k = 0; k < active.size(); ++k) {
    const std::string& name = names[active[k]];
    if (name == "site") site_bit = Coalition{1} << k;
    if (name == "public_equity_share" || name == "public_preferred" || name == "buy_back")
      split_bits |= Coalition{1} << k;
    if (name == "damages_waiver") waiver_bit = Coalition{1} << k;
    if (name == "loss_bearing") loss_bearing_bit = Coalition{1} << k;
  }
  std::map<std::uint64_t, std::shared_ptr<const SpcStreams>> spc_streams;
  // First passes kept for the sheets that add the damages waiver or loss-bearing to them: an
  // exact attribution values the coalitions in mask order, so the sheet without the clause comes
  // first. Each is dropped once the sheets that read it have been valued.
  struct KeptPass {
    FirstPass pass;
    int readers = 0;
  };
  std::map<std::uint64_t, KeptPass> first_passes;
  // Their buffers are recycled rather than freed: memory handed back to the system and touched
  // again costs a page fault per page, as much as the waterfalls the copies save.
  thread_local std::vector<FirstPass> spare_passes;
  const auto drop = [&](std::map<std::uint64_t, KeptPass>::iterator it) {
    spare_passes.push_back(std::move(it->second.pass));
    first_passes.erase(it);
  };
  const bool exact = players <= settings.shapley_exact_clauses;
  const bool share_first_passes = exact && detail::valuation_shortcuts().shared_first_passes;

  auto at_site = [&](const Terms& sheet, Coalition coalition, bool non_capital) -> Valuation {
    // Caches below are keyed by a set of clauses and the site.
    const auto key_of = [&](Coalition bits) {
      return (std::uint64_t{bits} << 1U) | (non_capital ? 1U : 0U);
    };
    const std::uint64_t key = key_of(coalition & ~site_bit);
    if (auto it = site_valuations.find(key); it != site_valuations.end()) return it->second;
    const OperatingPaths* cached = nullptr;
    for (const auto& entry : operating_cache)
      if (entry.non_capital == non_capital && entry.chip_share == sheet.domestic_chip_share)
        cached = &entry.operating;
    if (!cached) {
      const double capex =
          size_project(object, sheet, team, non_capital, member.beliefs, assumptions).money.capex();
      operating_cache.push_back(
          {non_capital, sheet.domestic_chip_share,
           operating_paths(object, sheet, team, member, paths, non_capital, capex, assumptions)});
      cached = &operating_cache.back().operating;
    }
    const Coalition lender_bits = coalition & ~site_bit & ~split_bits;
    const std::uint64_t lender_key = key_of(lender_bits);
    std::shared_ptr<const SpcStreams> known;
    if (auto it = spc_streams.find(lender_key); it != spc_streams.end()) known = it->second;
    FirstPassReuse reuse;
    FirstPass* keep = nullptr;
    auto read = first_passes.end();
    if (!known && share_first_passes) {
      if (lender_bits & waiver_bit) {
        read = first_passes.find(key_of(lender_bits & ~waiver_bit));
        reuse.paths = SharedPaths::undelayed;
      } else if (lender_bits & loss_bearing_bit) {
        read = first_passes.find(key_of(lender_bits & ~loss_bearing_bit));
        reuse.paths = SharedPaths::undefaulted;
      }
      if (read != first_passes.end()) reuse.pass = &read->second.pass;
      const int readers =
          (waiver_bit && !(lender_bits & waiver_bit) ? 1 : 0) +
          (loss_bearing_bit && !(lender_bits & (waiver_bit | loss_bearing_bit)) ? 1 : 0);
      if (readers > 0) {
        KeptPass& kept = first_passes[lender_key];
        kept.readers = readers;
        if (!spare_passes.empty()) {
          kept.pass = std::move(spare_passes.back());
          spare_passes.pop_back();
        }
        keep = &kept.pass;
      }
    }
    std::shared_ptr<const SpcStreams> streams;
    const Valuation v = value_for_site(object, sheet, team, member, paths, non_capital, assumptions,
                                       StreamUse::of(terms), cached, known,
                                       known ? nullptr : &streams, reuse, keep);
    if (read != first_passes.end() && --read->second.readers == 0) drop(read);
    if (!known) spc_streams.emplace(lender_key, std::move(streams));
    site_valuations.emplace(key, v);
    return v;
  };
  // v(S): the member's value with the clauses in S at the call's levels, the others neutral, as
  // value_terms computes it (the same site rule, through the caches above).
  const CoalitionValue value = [&](Coalition coalition) {
    Terms sheet = terms;
    for (std::size_t k = 0; k < active.size(); ++k)
      if (!(coalition & (Coalition{1} << k))) sheet = neutralise(sheet, names[active[k]]);
    return under_site_rule(sheet.site,
                           [&](bool non_capital) { return at_site(sheet, coalition, non_capital); })
        .value();
  };
  ShapleyValues shapley;
  if (exact) {
    shapley = exact_shapley(players, value);
  } else {
    if (!sampling) throw ModelError("attribute_terms: sampled attribution needs a stream");
    shapley = sampled_shapley(players, value, settings.shapley_permutations, *sampling);
  }
  while (!first_passes.empty())
    drop(first_passes.begin());
  TermAttribution out;
  out.value = shapley.grand_value;
  out.neutral_value = shapley.empty_value;
  out.clauses = players;
  out.exact = shapley.exact;
  out.permutations = shapley.permutations;
  out.evaluations = shapley.evaluations;
  for (const auto& name : names)
    out.effects.push_back({name, 0.0, 0.0});
  for (std::size_t k = 0; k < active.size(); ++k) {
    out.effects[active[k]].delta = shapley.effects[k];
    out.effects[active[k]].standard_error = shapley.standard_errors[k];
  }
  if (const PairInteraction& pair = shapley.strongest_interaction; pair.first >= 0)
    out.interaction = ClauseInteraction{names[active[static_cast<std::size_t>(pair.first)]],
                                        names[active[static_cast<std::size_t>(pair.second)]],
                                        pair.value, pair.standard_error};
  return out;
}

std::vector<TermEffect> main_obstacles(std::vector<TermEffect> effects, std::size_t count) {
  std::erase_if(effects, [](const TermEffect& e) { return !(e.delta < -1e-9); });
  std::stable_sort(effects.begin(), effects.end(),
                   [](const TermEffect& a, const TermEffect& b) { return a.delta < b.delta; });
  if (effects.size() > count) effects.resize(count);
  return effects;
}

}  // namespace tenderlab
