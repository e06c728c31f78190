#pragma once
// Term-sheet valuation: what a call's terms are worth to one private participant.
//
// Pure functions, no engine. The project's yearly cash flows are simulated over Monte Carlo paths
// drawn from the participant's own beliefs; each term transforms the cash flows that reach the
// private side; a certainty equivalent under exponential utility turns the distribution into one
// number. docs/model/valuation.md derives every formula.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tenderlab/engine/rng.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

/// The Monte Carlo paths an agent draws from its beliefs: per path and year, multipliers for
/// demand, power price and GPU-hour price, and a uniform for the delay event. Drawn once and
/// reused for every term variant (common random numbers), so attributions are not noise.
struct MarketPaths {
  int paths = 0;
  int years = 0;
  std::vector<double> demand;  ///< paths x years, demand relative to the first operating year
  std::vector<double> power;   ///< paths x years, multiplier on the power price
  std::vector<double> price;   ///< paths x years, multiplier on the trend GPU-hour price
  std::vector<double> delay_uniform;  ///< one per path, in [0, 1)
  double at(const std::vector<double>& series, int path, int year) const {
    return series[static_cast<std::size_t>(path) * static_cast<std::size_t>(years) +
                  static_cast<std::size_t>(year)];
  }
  /// exp(noise x price) per cell: the price multipliers for a given noise level, computed once
  /// and reused by every valuation on these paths (they dominate its cost otherwise).
  const std::vector<double>& price_factors(double noise) const;

 private:
  mutable std::vector<double> price_factors_;
  mutable double price_factors_noise_ = -1;
};

/// `antithetic`: paths in mirrored pairs (a variance reduction; an odd last path is drawn alone).
MarketPaths draw_market_paths(const Beliefs& beliefs, int paths, int years, Rng& rng,
                              bool antithetic = false);

/// The team that would run the project: combined capabilities and preferences.
struct TeamProfile {
  Capabilities capabilities;  ///< best of the members, per capability
  int cloud_providers = 0;    ///< members with cloud operations >= 0.5
};

/// A member counts as a cloud provider from assumptions.cloud_provider_threshold on.
TeamProfile make_team_profile(const std::vector<const AgentSpec*>& members,
                              const ProjectAssumptions& assumptions = {});

/// One member's view: its beliefs, discounting and risk preferences, its share of the private
/// side's equity and the chance it gives the team's bid.
struct MemberView {
  const AgentSpec* agent = nullptr;
  Beliefs beliefs;               ///< after any per-replication private signal
  double share = 1.0;            ///< share of the private side's equity, in (0, 1]
  double win_probability = 1.0;  ///< in [0, 1]
};

/// The value of a term sheet to one member, with the pieces that explain it.
struct Valuation {
  double certainty_equivalent = 0;  ///< bn KRW, of its share of the private cash flows
  double expected_npv = 0;          ///< bn KRW, mean over paths
  double npv_sd = 0;                ///< bn KRW
  double control_cost = 0;          ///< bn KRW, subtracted when the state holds the majority
  double bid_cost = 0;              ///< bn KRW
  double strategic_value = 0;       ///< bn KRW
  double equity_commitment = 0;     ///< bn KRW paid in by this member
  /// bn KRW: its part of the buy-back payout at contingent_liability_quantile over the paths
  double contingent_liability = 0;
  double capital_limit = 0;      ///< bn KRW it is willing to commit
  double win_probability = 1;    ///< chance the team's bid wins, as the member sees it
  bool non_capital_site = true;  ///< the site valued (the better one when the call allows any)
  double capital_cost = 0;       ///< bn KRW: shadow price of commitment beyond the limit
  /// What taking part is worth: if the bid wins, the certainty equivalent less the cost of
  /// public control and of over-committed capital, plus the strategic value; the bid cost in any
  /// case.
  double value() const {
    return win_probability *
               (certainty_equivalent - control_cost - capital_cost + strategic_value) -
           bid_cost;
  }
  /// The member can pay its part of the equity.
  bool affordable() const {
    return equity_commitment + contingent_liability <= capital_limit + 1e-9;
  }
  bool worth_bidding() const { return affordable() && value() > 0; }
};

/// Values `terms` for one member of `team`, on the given paths (drawn from the member's beliefs).
Valuation value_terms(const CallObject& object, const Terms& terms, const TeamProfile& team,
                      const MemberView& member, const MarketPaths& paths,
                      const ProjectAssumptions& assumptions = {});

/// How the project would be financed (bn KRW), for contract events and public-cost KPIs: the
/// equity the terms ask for, debt as a lender sizes it on its base case (sculpted to a
/// debt-service cover ratio, within a leverage cap), the rest equity.
struct Financing {
  double gpu_capex = 0;
  double building_capex = 0;
  double integration_capex = 0;  ///< porting to mandated domestic chips
  double equity = 0;
  double public_equity = 0;
  double private_equity = 0;
  double policy_loan = 0;
  double market_debt = 0;
  double policy_loan_subsidy = 0;  ///< grant equivalent of the policy loan at the signing
  double tax_credit = 0;           ///< earned when operations start; usable against tax due
  double site_mw = 0;
  double contingent_liability = 0;  ///< buy-back strike: the most the private side could owe
  double capex() const { return gpu_capex + building_capex + integration_capex; }
  /// What the private side must be able to commit at most: its equity plus the strike.
  double private_commitment() const { return private_equity + contingent_liability; }
};
/// `lender_view`: the market outlook the lender's base case uses.
Financing project_financing(const CallObject& object, const Terms& terms, const TeamProfile& team,
                            bool non_capital, const Beliefs& lender_view,
                            const ProjectAssumptions& assumptions = {});

/// What one contract costs the public side (bn KRW), item by item: the public-cost ledger
/// (docs/model/valuation.md, "Public cost"). Expected values are over the paths of the ledger's
/// valuation, present values at the signing.
struct PublicCost {
  double equity = 0;              ///< public equity paid in: cash out of the budget
  double tax_expenditure = 0;     ///< expected tax credit the SPC uses against tax due
  double loan_subsidy = 0;        ///< grant equivalent of the policy loan
  double expected_loan_loss = 0;  ///< expected default loss on the policy loan
  double shortfall_support = 0;   ///< expected shortfalls the public shareholder funds
  double price = 0;               ///< procurement: the price the state pays
  double total() const {
    return equity + tax_expenditure + loan_subsidy + expected_loan_loss + shortfall_support + price;
  }
};

/// One year of the SPC on one path (bn KRW, undiscounted): what the valuation computes, line by
/// line, so that a reader (or a test) can follow every number.
struct CashFlowYear {
  int year = 0;                 ///< from the signing; operations start at build_years
  double equity_paid_in = 0;    ///< by the private side
  double ebitda = 0;            ///< operating margin (at the end: the assets' residual value)
  double depreciation = 0;      ///< tax depreciation (at the end: the book value written off)
  double interest = 0;          ///< accrued on both loans
  double debt_service_due = 0;  ///< the loans' schedule (at the end, what is still owed)
  double taxable_income = 0;    ///< after losses carried forward
  double tax = 0;               ///< due after the credit
  double credit_used = 0;       ///< investment tax credit used against tax due
  double shortfall = 0;         ///< debt service the year's cash and reserve could not pay
  double private_support = 0;   ///< part of the shortfall the private side funded
  double public_support = 0;    ///< part of the shortfall the public shareholder funded
  /// Shortfalls the shareholders would still fund before a default (their support limit less
  /// what they funded so far); infinity under loss-bearing (no limit).
  double support_left = 0;
  double policy_service = 0;  ///< paid to the policy lender
  double market_service = 0;  ///< paid to the market lender
  double debt_left = 0;       ///< both loans, after this year's payments
  double reserve = 0;         ///< cash kept back at the end of the year
  double private_dividends = 0;
  double public_dividends = 0;
  double buy_back = 0;      ///< paid by the private side to the public side
  double private_flow = 0;  ///< the private side's net cash this year
  bool defaulted = false;   ///< the SPC has defaulted (this year or before)
};
struct CashFlowStatement {
  Financing financing;
  double market_debt_rate = 0;          ///< as priced on the paths
  std::vector<double> base_case_cover;  ///< lender's base-case cash flow per operating year, >= 0
  std::vector<CashFlowYear> years;      ///< 0 .. build_years + years
  double private_value = 0;             ///< the private side's flows at the risk-free rate
  bool defaulted = false;
};
/// The SPC's cash-flow statement on path `path` of `paths`, with the financing as the valuation
/// sizes and prices it (docs/model/valuation.md).
CashFlowStatement cash_flow_statement(const CallObject& object, const Terms& terms,
                                      const TeamProfile& team, const MemberView& member,
                                      const MarketPaths& paths, bool non_capital, int path,
                                      const ProjectAssumptions& assumptions = {});

/// The SPC's cash-flow statement with its operations as they turned out: the contract as signed
/// (financed and priced as cash_flow_statement does, on `paths` and `member`'s view), run on one
/// path whose operating margin in operating year j is `margins[j]` (bn KRW: sales − power −
/// operations and maintenance, one per operating year of the object). `delayed`: the first
/// operating year was lost (then `margins[0]` is only the margin the delay cost, for damages).
/// The waterfall is causal: a year's lines depend only on the margins up to that year.
CashFlowStatement statement_on_margins(const CallObject& object, const Terms& terms,
                                       const TeamProfile& team, const MemberView& member,
                                       const MarketPaths& paths, bool non_capital,
                                       const std::vector<double>& margins, bool delayed,
                                       const ProjectAssumptions& assumptions = {});

/// The public-cost ledger of an SPC contract, valued on `paths` (drawn from the market outlook)
/// with `lead`'s view of the operations.
PublicCost public_ledger(const CallObject& object, const Terms& terms, const TeamProfile& team,
                         const MemberView& lead, const MarketPaths& paths, bool non_capital,
                         const ProjectAssumptions& assumptions = {});

/// What an SPC expects of its operations, year by year (bn KRW, undiscounted, means over the
/// paths), on `lead`'s view, as the run sets it against measured use.
struct OperatingOutlook {
  struct Year {
    double utilization = 0;  ///< share of GPU-hours sold
    double sales = 0;        ///< revenue from GPU-hours, the public share at its discount
    double power = 0;        ///< the facility's power
    double margin = 0;       ///< sales - power - om_per_year
  };
  std::vector<Year> years;               ///< per operating year
  double om_per_year = 0;                ///< operations and maintenance: om_share_of_capex x capex
  std::vector<double> lender_base_case;  ///< the cover the market lender sized its debt on
};
OperatingOutlook operating_outlook(const CallObject& object, const Terms& terms,
                                   const TeamProfile& team, const MemberView& lead,
                                   const MarketPaths& paths, bool non_capital,
                                   const ProjectAssumptions& assumptions = {});

/// Certainty equivalent of outcomes under exponential utility with absolute risk aversion `a`
/// (1/bn KRW): -ln(mean(exp(-a x))) / a; the mean when a == 0. Numerically stable.
double certainty_equivalent(const std::vector<double>& outcomes, double absolute_risk_aversion);

/// What one clause contributes to a member's value (bn KRW): its Shapley value in the game
/// whose players are the clauses of the call away from their neutral level, and whose coalition
/// value is the member's value with those clauses at the call's levels and the others neutral. A
/// negative number means the clause costs the member that much.
struct TermEffect {
  std::string term;
  double delta = 0;
  double standard_error = 0;  ///< 0 when computed exactly
};

/// The two clauses whose effects depend most on each other: their Shapley interaction index
/// (bn KRW). Positive: together they are worth more (or cost less) than the sum of each alone.
struct ClauseInteraction {
  std::string first;  ///< the earlier of the two in term_names() order
  std::string second;
  double delta = 0;
  double standard_error = 0;  ///< 0 when computed exactly
};

/// A member's value split among the clauses of a call.
struct TermAttribution {
  double value = 0;          ///< bn KRW, under the call's terms (Valuation::value())
  double neutral_value = 0;  ///< bn KRW, with every clause at its neutral level
  /// One per term_names(), in that order; 0 for a clause at its neutral level. They add up to
  /// value - neutral_value (up to floating-point rounding, also when sampled).
  std::vector<TermEffect> effects;
  std::optional<ClauseInteraction> interaction;  ///< none with fewer than two active clauses
  int clauses = 0;       ///< clauses away from their neutral level: the players
  bool exact = true;     ///< false: estimated from sampled orders of the clauses
  int permutations = 0;  ///< orders sampled (0 when exact)
  int evaluations = 0;   ///< term sheets valued
};

/// Shapley attribution of `terms` for one member, on common random numbers (the same `paths` for
/// every coalition). Exact when at most settings.shapley_exact_clauses clauses are away from
/// their neutral level, otherwise estimated from settings.shapley_permutations random orders
/// drawn from `sampling` (a stream of the member's; required then).
TermAttribution attribute_terms(const CallObject& object, const Terms& terms,
                                const TeamProfile& team, const MemberView& member,
                                const MarketPaths& paths, const ProjectAssumptions& assumptions,
                                const ValuationSettings& settings, Rng* sampling);
/// How many of the costliest clauses are reported for an agent that stays away or declines.
inline constexpr std::size_t reported_obstacles = 4;

/// The terms that cost the most, most costly first (only negative effects), at most `count`.
std::vector<TermEffect> main_obstacles(std::vector<TermEffect> effects, std::size_t count);

}  // namespace tenderlab
