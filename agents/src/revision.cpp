#include "tenderlab/agents/revision.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "tenderlab/agents/budget.hpp"

namespace tenderlab {
namespace {

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

/// Relaxes one term by one step; false when it is already at its neutral level.
bool relax(Terms& terms, const std::string& term, const AdaptiveRevision& rule, std::string& before,
           std::string& after) {
  auto flag = [&](bool& value) {
    if (!value) return false;
    before = "true";
    after = "false";
    value = false;
    return true;
  };
  auto lower = [&](double& value, double step) {
    if (value <= 0) return false;
    before = number_text(value);
    value = std::max(0.0, value - step);
    after = number_text(value);
    return true;
  };
  if (term == "buy_back") return flag(terms.buy_back.enabled);
  if (term == "public_preferred") return flag(terms.public_preferred);
  if (term == "loss_bearing") return flag(terms.loss_bearing);
  if (term == "damages_waiver") return flag(terms.damages_waiver);
  if (term == "public_equity_share") return lower(terms.public_equity_share, rule.equity_step);
  if (term == "domestic_chip_share") return lower(terms.domestic_chip_share, rule.chip_share_step);
  if (term == "site") {
    if (terms.site == SiteRule::any) return false;
    before = to_string(terms.site);
    terms.site = SiteRule::any;
    after = to_string(terms.site);
    return true;
  }
  if (term == "ceiling_price" && terms.ceiling_price_bn_krw) {
    before = number_text(*terms.ceiling_price_bn_krw);
    *terms.ceiling_price_bn_krw *= rule.ceiling_price_factor;
    after = number_text(*terms.ceiling_price_bn_krw);
    return true;
  }
  return false;
}

}  // namespace

double public_money(const CallObject& object, const Terms& terms,
                    const ProjectAssumptions& assumptions, const Beliefs& lender_view) {
  const Financing f =
      project_financing(object, terms, TeamProfile{}, false, lender_view, assumptions);
  return f.public_equity + f.tax_credit;
}

Revision revise_terms(const CallObject& object, const Terms& terms,
                      const std::vector<std::vector<TermEffect>>& effects_by_agent,
                      const AdaptiveRevision& rule, const ProjectAssumptions& assumptions,
                      const std::optional<BudgetLimit>& budget, const Beliefs& lender_view) {
  // Whether the budget, not the rule's own limit, ruled a step out, and in which year.
  bool budget_bound = false;
  int bound_year = 0;
  double bound_remaining = 0;
  // The public money of a term sheet (public_money()), or nullopt when it exceeds the rule's
  // limit or its charge does not fit a year of the budget (a year the limit leaves out has
  // nothing left).
  auto money_within_limits = [&](const Terms& candidate) -> std::optional<double> {
    const Financing f =
        project_financing(object, candidate, TeamProfile{}, false, lender_view, assumptions);
    const double money = f.public_equity + f.tax_credit;
    if (money > rule.max_public_money_bn_krw + 1e-9) return std::nullopt;
    if (!budget) return money;
    const std::vector<double> charge =
        budget_charge(budget->basis, CallKind::spc_partner, f, candidate, 0.0);
    for (std::size_t i = 0; i < charge.size(); ++i) {
      const double left = i < budget->remaining_bn_krw.size() ? budget->remaining_bn_krw[i] : 0.0;
      if (charge[i] <= left + 1e-9) continue;
      budget_bound = true;
      bound_year = budget->fiscal_year + static_cast<int>(i);
      bound_remaining = left;
      return std::nullopt;
    }
    return money;
  };
  std::map<std::string, double> cost;
  for (const auto& effects : effects_by_agent)
    for (const auto& effect : effects)
      if (effect.delta < 0) cost[effect.term] += effect.delta;
  // Costliest first; ties in the documented order of term_names().
  std::vector<std::string> order = term_names();
  std::stable_sort(order.begin(), order.end(),
                   [&](const std::string& a, const std::string& b) { return cost[a] < cost[b]; });
  Revision revision;
  for (const auto& term : order) {
    if (!(cost[term] < 0)) break;
    Terms candidate = terms;
    std::string before, after;
    if (!relax(candidate, term, rule, before, after)) continue;
    const std::optional<double> money = money_within_limits(candidate);
    if (!money) continue;
    revision = Revision{true,
                        term,
                        before,
                        after,
                        candidate,
                        *money,
                        "relaxes the costliest clause for the agents that stayed away (" +
                            number_text(-cost[term]) + " bn KRW in all)"};
    return revision;
  }
  // Nothing left to relax: sweeten with the tax credit, up to the rule's maximum.
  if (terms.tax_credit < rule.max_tax_credit - 1e-12) {
    Terms candidate = terms;
    candidate.tax_credit = std::min(rule.max_tax_credit, terms.tax_credit + rule.tax_credit_step);
    if (const std::optional<double> money = money_within_limits(candidate))
      return Revision{true,
                      "tax_credit",
                      number_text(terms.tax_credit),
                      number_text(candidate.tax_credit),
                      candidate,
                      *money,
                      "no clause left to relax: raises the tax credit"};
  }
  revision.terms = terms;
  revision.public_money_bn_krw = public_money(object, terms, assumptions, lender_view);
  revision.reason = budget_bound ? "no revision possible within " + budget->issuer +
                                       "'s remaining " + std::to_string(bound_year) + " budget (" +
                                       number_text(bound_remaining) + " bn KRW)"
                                 : "no revision possible within the public-money limit";
  return revision;
}

}  // namespace tenderlab
