#pragma once
// The government's adaptive revision rule, pure: after a failed round, relax the term that cost
// the bidders who stayed away the most, within a limit on public money.
#include <optional>
#include <string>
#include <vector>

#include "tenderlab/agents/valuation.hpp"

namespace tenderlab {

struct Revision {
  bool revised = false;
  std::string term;                ///< the term relaxed
  std::string before;              ///< its level before, as text
  std::string after;               ///< its level after, as text
  Terms terms;                     ///< the revised terms
  double public_money_bn_krw = 0;  ///< public equity plus tax credit under the revised terms
  std::string reason;
};

/// Public money a term sheet commits (bn KRW): the public equity plus the tax credit on the
/// project's investment.
double public_money(const CallObject& object, const Terms& terms,
                    const ProjectAssumptions& assumptions = {}, const Beliefs& lender_view = {});

/// What is left of the issuer's budget from the fiscal year a revised round's contract would be
/// signed in: a second limit on a revision, which must fit what its term sheet charges the budget
/// (budget_charge) in every year.
struct BudgetLimit {
  std::string issuer;
  int fiscal_year = 0;                   ///< the signing year
  std::vector<double> remaining_bn_krw;  ///< by year from fiscal_year on; years beyond: none left
  BudgetBasis basis = BudgetBasis::commitment;
};

/// Sums the negative effects per term over every agent that stayed away and relaxes the costliest
/// one by one step (documented in docs/model/procedure.md). When no clause costs anything, it
/// raises the tax credit. The steps and the limit are the rule's (`rule.equity_step`, ...);
/// refuses (revised == false, with the reason) when the step would exceed the public-money limit
/// or nothing is left to relax. The limit is `rule.max_public_money_bn_krw` on the public money,
/// and, when `budget` is given, what is left of the issuer's budget in each year the term sheet
/// charges; a refusal because of the budget says so.
Revision revise_terms(const CallObject& object, const Terms& terms,
                      const std::vector<std::vector<TermEffect>>& effects_by_agent,
                      const AdaptiveRevision& rule, const ProjectAssumptions& assumptions = {},
                      const std::optional<BudgetLimit>& budget = std::nullopt,
                      const Beliefs& lender_view = {});

}  // namespace tenderlab
