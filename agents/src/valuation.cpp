#include "tenderlab/agents/valuation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "tenderlab/agents/shapley.hpp"
#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

MarketPaths draw_market_paths(const Beliefs& beliefs, int paths, int years, Rng& rng) {
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
  // numbers never depend on how many paths are drawn after it.
  for (int p = 0; p < paths; ++p) {
    double log_demand = 0, log_power = 0;
    for (int y = 0; y < years; ++y) {
      const auto cell = static_cast<std::size_t>(p) * static_cast<std::size_t>(years) +
                        static_cast<std::size_t>(y);
      if (y > 0) log_demand += std::log1p(g) - 0.5 * s * s + s * rng.normal();
      if (y > 0) log_power += -0.5 * sp * sp + sp * rng.normal();
      out.demand[cell] = std::exp(log_demand);
      out.power[cell] = std::exp(log_power);
      out.price[cell] = rng.normal();  // standardised; scaled by the assumptions' price noise
    }
    out.delay_uniform[static_cast<std::size_t>(p)] = rng.uniform();
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

double annuity_payment(double principal, double rate, int years) {
  if (principal <= 0 || years <= 0) return 0;
  if (rate <= 0) return principal / years;
  return principal * rate / (1 - std::pow(1 + rate, -years));
}

/// The project as sized for one team and site: its financing and its debt service.
struct Project {
  int total_years = 0;
  Financing money;
  double policy_payment = 0;  ///< yearly annuity of the policy loan
  double market_payment = 0;  ///< yearly annuity of the market debt
};

Project size_project(const CallObject& object, const Terms& terms, const TeamProfile& team,
                     bool non_capital, const ProjectAssumptions& assumptions) {
  Project project;
  Financing& f = project.money;
  project.total_years = object.build_years + object.years;
  const double gpus = static_cast<double>(object.gpus);
  f.gpu_capex = gpus * object.gpu_price_bn_krw;
  f.site_mw = gpus * object.kw_per_gpu * object.pue / 1000.0;
  double build_cost = f.site_mw * object.build_cost_bn_krw_per_mw;
  build_cost *= 1 - assumptions.construction_build_saving * team.capabilities.construction;
  if (non_capital)
    build_cost *=
        1 - assumptions.local_government_build_saving * team.capabilities.local_government;
  f.building_capex = build_cost;
  // Integrating mandated domestic chips (software stack, porting) is a one-off cost on top.
  f.integration_capex = terms.domestic_chip_share * gpus * assumptions.npu_integration_cost_bn_krw;
  const double capex = f.capex();
  f.equity =
      terms.paid_in_capital_bn_krw > 0 ? std::min(terms.paid_in_capital_bn_krw, capex) : capex;
  f.public_equity = f.equity * terms.public_equity_share;
  f.private_equity = f.equity - f.public_equity;
  const double debt = capex - f.equity;
  f.policy_loan = std::min(debt, terms.policy_loan.share_of_capex * capex);
  f.market_debt = debt - f.policy_loan;
  f.tax_credit = terms.tax_credit * (f.gpu_capex + f.building_capex);
  if (terms.buy_back.enabled)
    f.contingent_liability =
        f.public_equity * std::pow(1 + terms.buy_back.return_rate, project.total_years);
  const int policy_years =
      terms.policy_loan.years > 0 ? terms.policy_loan.years : assumptions.debt_years;
  project.policy_payment = annuity_payment(f.policy_loan, terms.policy_loan.rate, policy_years);
  project.market_payment =
      annuity_payment(f.market_debt, assumptions.market_debt_rate, assumptions.debt_years);
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

OperatingPaths operating_paths(const CallObject& object, const Terms& terms,
                               const TeamProfile& team, const MemberView& member,
                               const MarketPaths& paths, bool non_capital, double capex,
                               const ProjectAssumptions& a) {
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

  std::size_t cell = 0;
  for (int path = 0; path < paths.paths; ++path) {
    out.delayed[static_cast<std::size_t>(path)] =
        paths.delay_uniform[static_cast<std::size_t>(path)] < delay_probability ? 1 : 0;
    double price_trend = b.gpu_hour_price_krw;  // falls by price_decline every operating year
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
    }
  }
  return out;
}

/// What a term sheet adds to the SPC's cash on every path alike: the tax credit when operations
/// start, debt service from the first operating year, and at the end the residual value net of
/// the debt still owed. Kept apart so that they are added in the order they always were.
struct FinancingFlows {
  std::size_t credit_year = 0;
  double credit = 0;
  std::vector<double> service;  ///< per year
  double residual = 0;          ///< in the last year
};

FinancingFlows financing_flows(const CallObject& object, const Terms& terms, const Project& project,
                               const ProjectAssumptions& a) {
  const int total = project.total_years;
  FinancingFlows out;
  out.credit_year = static_cast<std::size_t>(std::min(object.build_years, total));
  out.credit = project.money.tax_credit;
  out.service.assign(static_cast<std::size_t>(total) + 1, 0.0);
  const double policy_payment = project.policy_payment;
  const double market_payment = project.market_payment;
  double policy_left = project.money.policy_loan, market_left = project.money.market_debt;
  for (int year = object.build_years; year < total; ++year) {
    double service = 0;
    if (policy_left > 1e-12) {
      const double interest = policy_left * terms.policy_loan.rate;
      const double paid = std::min(policy_payment, policy_left + interest);
      policy_left -= paid - interest;
      service += paid;
    }
    if (market_left > 1e-12) {
      const double interest = market_left * a.market_debt_rate;
      const double paid = std::min(market_payment, market_left + interest);
      market_left -= paid - interest;
      service += paid;
    }
    out.service[static_cast<std::size_t>(year)] = service;
  }
  out.residual = a.building_residual_share * project.money.building_capex +
                 a.gpu_residual_share * project.money.gpu_capex - std::max(0.0, policy_left) -
                 std::max(0.0, market_left);
  return out;
}

/// The member's NPV of the private side's cash flows on one path: the SPC's cash each year from
/// the path's operating margins and the financing flows every path shares, split between public
/// and private shareholders, discounted. One pass without buffers, since it runs once per path,
/// term sheet and member; the additions happen in the order the model defines them, so the
/// result does not depend on how the work is shared between term sheets.
double private_npv(const CallObject& object, const Terms& terms,
                   const OperatingPaths& operating_paths, int path, const FinancingFlows& financing,
                   const Project& project, const ProjectAssumptions& a,
                   const std::vector<double>& discounts, double share) {
  const int total = project.total_years;
  const int build = object.build_years;
  const int operating_end = build + object.years;
  const double s = terms.public_equity_share;
  const bool delayed = operating_paths.delayed[static_cast<std::size_t>(path)] != 0;
  const double* margins =
      operating_paths.margin.data() +
      static_cast<std::size_t>(path) * static_cast<std::size_t>(operating_paths.operating_years);
  // Without a waiver, the private side can claim part of a delay's lost margin as damages.
  const bool damages = delayed && !terms.damages_waiver;
  const double lost_margin = delayed && object.years > 0 ? std::max(0.0, margins[0]) : 0.0;

  const double private_equity = project.money.private_equity;
  const double public_equity = project.money.public_equity;
  const int paid_in_years = std::max(1, terms.paid_in_years);
  // A shortfall: shareholders cover it; with loss-bearing and joint guarantees, the private side
  // covers the public side's part too.
  const double private_part = terms.loss_bearing ? 1.0 : 1 - s;
  const double rb = terms.buy_back.return_rate;
  double public_received = 0;              // compounded at the buy-back rate
  double public_unrepaid = public_equity;  // for preferred shares
  double npv = 0;
  for (int year = 0; year <= total; ++year) {
    const auto y = static_cast<std::size_t>(year);
    // The SPC's cash this year.
    double cash = 0;
    if (year >= build && year < operating_end) {
      if (delayed && year == build)
        cash -= operating_paths.idle_cost;  // idle site
      else
        cash += margins[year - build];
    }
    if (damages && year == build) cash += a.delay_damages_share * lost_margin;
    if (y == financing.credit_year) cash += financing.credit;
    if (year >= build && year < total) cash -= financing.service[y];
    if (year == total) cash += financing.residual;

    // Its split between public and private shareholders.
    public_received *= 1 + rb;
    double flow = 0;
    if (year < paid_in_years) {
      flow -= private_equity / paid_in_years;
      public_received -= public_equity / paid_in_years;
    }
    if (cash < 0) {
      flow += cash * private_part;
      public_received += cash * (1 - private_part);
    } else {
      double to_public = 0, rest = cash;
      if (terms.public_preferred && public_unrepaid > 0) {
        to_public = std::min(rest, public_unrepaid);
        public_unrepaid -= to_public;
        rest -= to_public;
      }
      to_public += rest * s;
      flow += cash - to_public;
      public_received += to_public;
    }
    // Buy-back at the end: the public side sells its stake to the private side at principal
    // plus return whenever what it got back falls short of that, so it is exercised on bad paths
    // only. public_received is the public side's net cash compounded at the buy-back rate, so it
    // is negative exactly when the public side got back less than principal plus return.
    if (year == total && terms.buy_back.enabled) flow -= std::max(0.0, -public_received);
    npv += share * flow * discounts[y];
  }
  return npv;
}

/// The member's valuation at one site. `cached`, when given, holds the operating side computed
/// for the same team, member, paths, site and chip mandate.
Valuation value_for_site(const CallObject& object, const Terms& terms, const TeamProfile& team,
                         const MemberView& member, const MarketPaths& paths, bool non_capital,
                         const ProjectAssumptions& assumptions,
                         const OperatingPaths* cached = nullptr) {
  const AgentSpec& agent = *member.agent;
  const Project project = size_project(object, terms, team, non_capital, assumptions);
  std::optional<OperatingPaths> computed;
  if (!cached)
    computed = operating_paths(object, terms, team, member, paths, non_capital,
                               project.money.capex(), assumptions);
  const OperatingPaths& operating_side = cached ? *cached : *computed;
  const FinancingFlows financing = financing_flows(object, terms, project, assumptions);
  // Discount factors, as the running division would produce them.
  std::vector<double> discounts(static_cast<std::size_t>(project.total_years) + 1);
  double discount = 1;
  for (double& d : discounts) {
    d = discount;
    discount /= 1 + agent.hurdle_rate;
  }
  std::vector<double> npvs(static_cast<std::size_t>(paths.paths));
  for (int p = 0; p < paths.paths; ++p)
    npvs[static_cast<std::size_t>(p)] = private_npv(object, terms, operating_side, p, financing,
                                                    project, assumptions, discounts, member.share);
  Valuation v;
  const double n = static_cast<double>(npvs.size());
  v.expected_npv = std::accumulate(npvs.begin(), npvs.end(), 0.0) / n;
  double ss = 0;
  for (double x : npvs)
    ss += (x - v.expected_npv) * (x - v.expected_npv);
  v.npv_sd = npvs.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
  const double absolute_risk_aversion =
      agent.capital_bn_krw > 0 ? agent.risk_aversion / agent.capital_bn_krw : 0.0;
  v.certainty_equivalent = certainty_equivalent(npvs, absolute_risk_aversion);
  v.equity_commitment = member.share * project.money.private_equity;
  // A buy-back obligation is a contingent liability: the member must be able to pay its part of
  // the strike on demand, so it counts against what it is willing to commit.
  v.contingent_liability = member.share * project.money.contingent_liability;
  v.win_probability = member.win_probability;
  v.non_capital_site = non_capital;
  v.capital_cost = assumptions.capital_shadow_price *
                   std::max(0.0, v.equity_commitment + v.contingent_liability -
                                     agent.max_commitment * agent.capital_bn_krw);
  v.capital_limit = agent.max_commitment * agent.capital_bn_krw;
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

double policy_loan_subsidy(const Financing& financing, const Terms& terms, int build_years,
                           const ProjectAssumptions& assumptions) {
  if (!(financing.policy_loan > 0)) return 0;
  const int years = terms.policy_loan.years > 0 ? terms.policy_loan.years : assumptions.debt_years;
  const double saved = annuity_payment(financing.policy_loan, assumptions.market_debt_rate, years) -
                       annuity_payment(financing.policy_loan, terms.policy_loan.rate, years);
  // Paid in years build_years .. build_years + years - 1, as the valuation repays its loans;
  // year y is discounted by (1 + market rate)^y to the signing.
  const double market = 1 + assumptions.market_debt_rate;
  double discount = std::pow(market, -build_years);
  double subsidy = 0;
  for (int year = 0; year < years; ++year) {
    subsidy += saved * discount;
    discount /= market;
  }
  return subsidy;
}

PublicCost public_cost(const CallObject& object, const Terms& terms, const Financing& financing,
                       bool spc, double price_bn_krw, const ProjectAssumptions& assumptions) {
  PublicCost cost;
  if (!spc) {
    cost.price = price_bn_krw;
    return cost;
  }
  cost.equity = financing.public_equity;
  cost.tax_expenditure = financing.tax_credit;
  cost.loan_subsidy = policy_loan_subsidy(financing, terms, object.build_years, assumptions);
  return cost;
}

Financing project_financing(const CallObject& object, const Terms& terms, const TeamProfile& team,
                            bool non_capital, const ProjectAssumptions& assumptions) {
  return size_project(object, terms, team, non_capital, assumptions).money;
}

Valuation value_terms(const CallObject& object, const Terms& terms, const TeamProfile& team,
                      const MemberView& member, const MarketPaths& paths,
                      const ProjectAssumptions& assumptions) {
  check_member(member, "value_terms");
  return under_site_rule(terms.site, [&](bool non_capital) {
    return value_for_site(object, terms, team, member, paths, non_capital, assumptions);
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
  for (std::size_t k = 0; k < active.size(); ++k)
    if (names[active[k]] == "site") site_bit = Coalition{1} << k;

  auto at_site = [&](const Terms& sheet, Coalition coalition, bool non_capital) -> Valuation {
    const std::uint64_t key =
        (std::uint64_t{coalition & ~site_bit} << 1U) | (non_capital ? 1U : 0U);
    if (auto it = site_valuations.find(key); it != site_valuations.end()) return it->second;
    const OperatingPaths* cached = nullptr;
    for (const auto& entry : operating_cache)
      if (entry.non_capital == non_capital && entry.chip_share == sheet.domestic_chip_share)
        cached = &entry.operating;
    if (!cached) {
      const double capex =
          size_project(object, sheet, team, non_capital, assumptions).money.capex();
      operating_cache.push_back(
          {non_capital, sheet.domestic_chip_share,
           operating_paths(object, sheet, team, member, paths, non_capital, capex, assumptions)});
      cached = &operating_cache.back().operating;
    }
    const Valuation v =
        value_for_site(object, sheet, team, member, paths, non_capital, assumptions, cached);
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
  if (players <= settings.shapley_exact_clauses) {
    shapley = exact_shapley(players, value);
  } else {
    if (!sampling) throw ModelError("attribute_terms: sampled attribution needs a stream");
    shapley = sampled_shapley(players, value, settings.shapley_permutations, *sampling);
  }
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
