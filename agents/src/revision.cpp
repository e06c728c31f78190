#include "tenderlab/agents/revision.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

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
  const double max_public_money_bn_krw =
      budget ? std::min(rule.max_public_money_bn_krw, budget->remaining_bn_krw)
             : rule.max_public_money_bn_krw;
  // Whether the budget, not the rule's own limit, ruled a step out.
  bool budget_bound = false;
  auto within_limit = [&](double money) {
    if (money <= max_public_money_bn_krw + 1e-9) return true;
    if (money <= rule.max_public_money_bn_krw + 1e-9) budget_bound = true;
    return false;
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
    const double money = public_money(object, candidate, assumptions, lender_view);
    if (!within_limit(money)) continue;
    revision = Revision{true,
                        term,
                        before,
                        after,
                        candidate,
                        money,
                        "relaxes the costliest clause for the agents that stayed away (" +
                            number_text(-cost[term]) + " bn KRW in all)"};
    return revision;
  }
  // Nothing left to relax: sweeten with the tax credit, up to the rule's maximum.
  if (terms.tax_credit < rule.max_tax_credit - 1e-12) {
    Terms candidate = terms;
    candidate.tax_credit = std::min(rule.max_tax_credit, terms.tax_credit + rule.tax_credit_step);
    const double money = public_money(object, candidate, assumptions, lender_view);
    if (within_limit(money))
      return Revision{true,
                      "tax_credit",
                      number_text(terms.tax_credit),
                      number_text(candidate.tax_credit),
                      candidate,
                      money,
                      "no clause left to relax: raises the tax credit"};
  }
  revision.terms = terms;
  revision.public_money_bn_krw = public_money(object, terms, assumptions, lender_view);
  revision.reason = budget_bound
                        ? "no revision possible within " + budget->issuer + "'s remaining " +
                              std::to_string(budget->fiscal_year) + " budget (" +
                              number_text(budget->remaining_bn_krw) + " bn KRW)"
                        : "no revision possible within the public-money limit";
  return revision;
}

}  // namespace tenderlab
