// The government's adaptive revision rule (agents/src/revision.cpp): which clause it relaxes,
// the public-money limit and the issuer's remaining budget, the tax-credit fallback and when it
// gives up.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "tenderlab/agents/revision.hpp"

using namespace tenderlab;

namespace {

/// 1,000 GPUs at 0.05 bn KRW and 2.47 MW of building at 7.1 bn KRW/MW: capex 67.537 bn KRW.
CallObject make_object() {
  CallObject object;
  object.gpus = 1000;
  object.gpu_price_bn_krw = 0.05;
  return object;
}
constexpr double capex = 50.0 + 2.47 * 7.1;

/// A sheet with every relaxable clause switched on.
Terms strict_terms() {
  Terms terms;
  terms.public_equity_share = 0.6;
  terms.buy_back = BuyBack{true, 0.03};
  terms.public_preferred = true;
  terms.loss_bearing = true;
  terms.damages_waiver = true;
  terms.domestic_chip_share = 0.5;
  terms.site = SiteRule::non_capital;
  terms.ceiling_price_bn_krw = 100.0;
  return terms;
}

using Effects = std::vector<std::vector<TermEffect>>;

constexpr double no_limit = 1e12;

/// The default revision rule with a limit on public money.
AdaptiveRevision rule(double max_public_money_bn_krw) {
  AdaptiveRevision rule;
  rule.max_public_money_bn_krw = max_public_money_bn_krw;
  return rule;
}

bool equal_terms(const Terms& a, const Terms& b) {
  return a.public_equity_share == b.public_equity_share &&
         a.paid_in_capital_bn_krw == b.paid_in_capital_bn_krw &&
         a.paid_in_years == b.paid_in_years && a.buy_back.enabled == b.buy_back.enabled &&
         a.buy_back.return_rate == b.buy_back.return_rate &&
         a.public_preferred == b.public_preferred && a.loss_bearing == b.loss_bearing &&
         a.damages_waiver == b.damages_waiver && a.domestic_chip_share == b.domestic_chip_share &&
         a.site == b.site && a.tax_credit == b.tax_credit &&
         a.policy_loan.share_of_capex == b.policy_loan.share_of_capex &&
         a.policy_loan.rate == b.policy_loan.rate && a.policy_loan.years == b.policy_loan.years &&
         a.ceiling_price_bn_krw == b.ceiling_price_bn_krw && a.multi_csp_bonus == b.multi_csp_bonus;
}

/// True when `a` and `b` differ at most in the named term.
bool same_except(const Terms& a, const Terms& b, const std::string& term) {
  Terms aligned = b;
  if (term == "buy_back") aligned.buy_back = a.buy_back;
  if (term == "public_equity_share") aligned.public_equity_share = a.public_equity_share;
  if (term == "public_preferred") aligned.public_preferred = a.public_preferred;
  if (term == "loss_bearing") aligned.loss_bearing = a.loss_bearing;
  if (term == "damages_waiver") aligned.damages_waiver = a.damages_waiver;
  if (term == "domestic_chip_share") aligned.domestic_chip_share = a.domestic_chip_share;
  if (term == "site") aligned.site = a.site;
  if (term == "tax_credit") aligned.tax_credit = a.tax_credit;
  if (term == "policy_loan") aligned.policy_loan = a.policy_loan;
  if (term == "ceiling_price") aligned.ceiling_price_bn_krw = a.ceiling_price_bn_krw;
  return equal_terms(a, aligned);
}

}  // namespace

TEST_CASE("public money is the public equity plus the tax credit on the investment") {
  const CallObject object = make_object();
  Terms terms;
  CHECK(public_money(object, terms) == 0.0);
  terms.public_equity_share = 0.4;
  CHECK(public_money(object, terms) == Approx(0.4 * capex));
  terms.tax_credit = 0.1;
  CHECK(public_money(object, terms) == Approx(0.4 * capex + 0.1 * capex));
  // Equity below the capex: the rest is debt as far as the lender lends it; the public side
  // pays its share of the equity that results.
  terms.paid_in_capital_bn_krw = 20;
  const Financing financing = project_financing(object, terms, TeamProfile{}, false, Beliefs{});
  CHECK(financing.equity >= 20);
  CHECK(financing.equity < capex);
  CHECK(public_money(object, terms) == Approx(0.4 * financing.equity + 0.1 * capex));
}

TEST_CASE("the adaptive rule relaxes the clause that cost the absent agents the most in all") {
  const Terms terms = strict_terms();
  // buy_back costs one agent the most, but loss_bearing costs more over both agents; a positive
  // effect elsewhere does not offset anything.
  const Effects effects{{{"buy_back", -5.0}, {"loss_bearing", -2.0}, {"tax_credit", 10.0}},
                        {{"loss_bearing", -4.0}, {"site", -1.0}, {"buy_back", 0.5}}};
  const Revision revision = revise_terms(make_object(), terms, effects, rule(no_limit));
  REQUIRE(revision.revised);
  CHECK(revision.term == "loss_bearing");
  CHECK(revision.before == "true");
  CHECK(revision.after == "false");
  CHECK_FALSE(revision.terms.loss_bearing);
  CHECK(same_except(revision.terms, terms, "loss_bearing"));
  CHECK(revision.reason.find("(6.00 bn KRW in all)") != std::string::npos);
  CHECK(revision.public_money_bn_krw == Approx(public_money(make_object(), revision.terms)));
}

TEST_CASE("the adaptive rule relaxes each kind of clause by one documented step") {
  const Terms terms = strict_terms();
  struct Step {
    std::string term, before, after;
  };
  const std::vector<Step> steps{
      {"buy_back", "true", "false"},           {"public_preferred", "true", "false"},
      {"damages_waiver", "true", "false"},     {"public_equity_share", "0.60", "0.50"},
      {"domestic_chip_share", "0.50", "0.25"}, {"site", "non_capital", "any"},
      {"ceiling_price", "100.00", "110.00"}};
  for (const auto& step : steps) {
    INFO("term " << step.term);
    const Revision revision =
        revise_terms(make_object(), terms, {{{step.term, -1.0}}}, rule(no_limit));
    REQUIRE(revision.revised);
    CHECK(revision.term == step.term);
    CHECK(revision.before == step.before);
    CHECK(revision.after == step.after);
    CHECK(same_except(revision.terms, terms, step.term));
  }
  const Revision share =
      revise_terms(make_object(), terms, {{{"public_equity_share", -1.0}}}, rule(no_limit));
  CHECK(share.terms.public_equity_share == Approx(0.5));
  const Revision chips =
      revise_terms(make_object(), terms, {{{"domestic_chip_share", -1.0}}}, rule(no_limit));
  CHECK(chips.terms.domestic_chip_share == Approx(0.25));
  const Revision ceiling =
      revise_terms(make_object(), terms, {{{"ceiling_price", -1.0}}}, rule(no_limit));
  REQUIRE(ceiling.terms.ceiling_price_bn_krw);
  CHECK(*ceiling.terms.ceiling_price_bn_krw == Approx(110.0));
}

TEST_CASE("equally costly clauses are relaxed in the documented term order") {
  const Effects effects{{{"loss_bearing", -3.0}, {"buy_back", -3.0}}};
  const Revision revision = revise_terms(make_object(), strict_terms(), effects, rule(no_limit));
  REQUIRE(revision.revised);
  CHECK(revision.term == "buy_back");  // buy_back comes before loss_bearing in term_names()
}

TEST_CASE("the adaptive rule skips a costly clause that is already at its neutral level") {
  Terms terms = strict_terms();
  terms.damages_waiver = false;
  const Effects effects{{{"damages_waiver", -9.0}, {"public_preferred", -1.0}}};
  const Revision revision = revise_terms(make_object(), terms, effects, rule(no_limit));
  REQUIRE(revision.revised);
  CHECK(revision.term == "public_preferred");
}

TEST_CASE("the adaptive rule skips a step that would exceed the public-money limit") {
  const CallObject object = make_object();
  const Terms terms = strict_terms();  // public share 0.6
  Terms lower = terms;
  lower.public_equity_share = 0.5;
  // The limit sits between the money at 0.5 and at 0.6: removing the buy-back keeps the money
  // at 0.6 and is skipped; lowering the public share fits.
  const double limit = 0.5 * (public_money(object, lower) + public_money(object, terms));
  const Effects effects{{{"buy_back", -8.0}, {"public_equity_share", -2.0}}};
  const Revision revision = revise_terms(object, terms, effects, rule(limit));
  REQUIRE(revision.revised);
  CHECK(revision.term == "public_equity_share");
  CHECK(revision.public_money_bn_krw <= limit);
  CHECK(revision.public_money_bn_krw == Approx(public_money(object, lower)));
}

TEST_CASE("when no clause costs anything the adaptive rule raises the tax credit by 0.05") {
  Terms terms = strict_terms();
  const Effects effects{{{"buy_back", 0.0}, {"tax_credit", 3.0}}, {}};
  const Revision revision = revise_terms(make_object(), terms, effects, rule(no_limit));
  REQUIRE(revision.revised);
  CHECK(revision.term == "tax_credit");
  CHECK(revision.before == "0.00");
  CHECK(revision.after == "0.05");
  CHECK(revision.terms.tax_credit == Approx(0.05));
  CHECK(same_except(revision.terms, terms, "tax_credit"));
  CHECK(revision.reason == "no clause left to relax: raises the tax credit");
  CHECK(revision.public_money_bn_krw == Approx(public_money(make_object(), revision.terms)));
}

TEST_CASE("the tax-credit fallback never goes beyond 0.25") {
  Terms terms;
  terms.tax_credit = 0.22;
  const Revision revision = revise_terms(make_object(), terms, {}, rule(no_limit));
  REQUIRE(revision.revised);
  CHECK(revision.before == "0.22");
  CHECK(revision.after == "0.25");
  CHECK(revision.terms.tax_credit == Approx(0.25));

  terms.tax_credit = 0.25;
  CHECK_FALSE(revise_terms(make_object(), terms, {}, rule(no_limit)).revised);
}

TEST_CASE("costly clauses that cannot be relaxed fall back to the tax credit") {
  Terms terms;  // nothing to relax: every clause is at its neutral level
  const Effects effects{{{"buy_back", -4.0}, {"policy_loan", -2.0}, {"site", -1.0}}};
  const Revision revision = revise_terms(make_object(), terms, effects, rule(no_limit));
  REQUIRE(revision.revised);
  CHECK(revision.term == "tax_credit");
}

TEST_CASE("the adaptive rule reports no revision when nothing is possible") {
  const CallObject object = make_object();
  SECTION("the tax credit is at its maximum and nothing costs anything") {
    Terms terms;
    terms.tax_credit = 0.25;
    terms.public_equity_share = 0.3;
    const Revision revision = revise_terms(object, terms, {{{"tax_credit", 5.0}}}, rule(no_limit));
    CHECK_FALSE(revision.revised);
    CHECK(revision.term.empty());
    CHECK(revision.reason == "no revision possible within the public-money limit");
    CHECK(revision.terms.tax_credit == 0.25);
    CHECK(same_except(revision.terms, terms, "tax_credit"));
    CHECK(revision.public_money_bn_krw == Approx(public_money(object, terms)));
  }
  SECTION("every step would exceed the public-money limit") {
    Terms terms = strict_terms();
    terms.public_equity_share = 0.4;                   // lowering it has no cost to relieve
    const double limit = public_money(object, terms);  // no room for a tax credit either
    const Effects effects{{{"buy_back", -5.0}}};
    // Removing the buy-back adds no public money, so it fits exactly; with a limit just below
    // the current money, nothing fits.
    CHECK(revise_terms(object, terms, effects, rule(limit)).revised);
    const Revision revision = revise_terms(object, terms, effects, rule(limit - 1.0));
    CHECK_FALSE(revision.revised);
    CHECK(revision.reason == "no revision possible within the public-money limit");
    CHECK(revision.terms.buy_back.enabled);
  }
  SECTION("no costly clause and a limit that leaves no room for more tax credit") {
    const Terms terms = strict_terms();
    const Revision revision = revise_terms(object, terms, {}, rule(public_money(object, terms)));
    CHECK_FALSE(revision.revised);
  }
}

TEST_CASE("the adaptive rule stays within the remaining budget when it is below its own limit") {
  const CallObject object = make_object();
  const Terms terms = strict_terms();  // public share 0.6
  Terms lower = terms;
  lower.public_equity_share = 0.5;
  // Less budget left than the terms commit: removing the buy-back (the same money) does not
  // fit, lowering the public share does.
  const double left = 0.5 * (public_money(object, lower) + public_money(object, terms));
  const Effects effects{{{"buy_back", -8.0}, {"public_equity_share", -2.0}}};
  CHECK(revise_terms(object, terms, effects, rule(no_limit)).term == "buy_back");
  const Revision revision =
      revise_terms(object, terms, effects, rule(no_limit), {}, BudgetLimit{"gov", 2026, {left}});
  REQUIRE(revision.revised);
  CHECK(revision.term == "public_equity_share");
  CHECK(revision.public_money_bn_krw <= left);

  // The smaller of the two limits applies: the rule's own, when it is below the budget, binds
  // and is named.
  const Revision refused =
      revise_terms(object, terms, effects, rule(public_money(object, lower) - 1.0), {},
                   BudgetLimit{"gov", 2026, {left}});
  CHECK_FALSE(refused.revised);
  CHECK(refused.reason == "no revision possible within the public-money limit");
}

TEST_CASE("a revision refused because of the issuer's budget names the budget") {
  const CallObject object = make_object();
  const Terms terms = strict_terms();
  Terms lower = terms;
  lower.public_equity_share = 0.5;
  const Effects effects{{{"buy_back", -8.0}}};
  const AdaptiveRevision generous = rule(2 * public_money(object, terms));
  // Less left than any step needs, although the rule's own limit has room.
  const double left = public_money(object, lower) - 1.0;
  const Revision revision =
      revise_terms(object, terms, effects, generous, {}, BudgetLimit{"gov", 2026, {left}});
  CHECK_FALSE(revision.revised);
  char expected[128];
  std::snprintf(expected, sizeof expected,
                "no revision possible within gov's remaining 2026 budget (%.2f bn KRW)", left);
  CHECK(revision.reason == expected);
  // With the money the terms commit left, the same revision goes through.
  CHECK(revise_terms(object, terms, effects, generous, {},
                     BudgetLimit{"gov", 2026, {public_money(object, terms)}})
            .revised);
}

TEST_CASE("on a cash basis a revision must fit every year its public equity is paid in") {
  const CallObject object = make_object();
  Terms terms = strict_terms();
  terms.paid_in_years = 3;
  const Effects effects{{{"buy_back", -8.0}}};
  Terms relaxed = terms;
  relaxed.buy_back.enabled = false;
  const double part =
      project_financing(object, relaxed, TeamProfile{}, false, {}, {}).public_equity / 3;
  REQUIRE(part > 0);
  const AdaptiveRevision generous = rule(no_limit);
  // Room in the signing year and the next, not in the third.
  BudgetLimit limit{"gov", 2026, {1e6, 1e6, part - 0.5}, BudgetBasis::cash};
  const Revision refused = revise_terms(object, terms, effects, generous, {}, limit);
  CHECK_FALSE(refused.revised);
  char expected[128];
  std::snprintf(expected, sizeof expected,
                "no revision possible within gov's remaining 2028 budget (%.2f bn KRW)",
                part - 0.5);
  CHECK(refused.reason == expected);
  // A year the limit does not list has nothing left.
  limit.remaining_bn_krw = {1e6, 1e6};
  CHECK_FALSE(revise_terms(object, terms, effects, generous, {}, limit).revised);
  // With the third year's part left, the step goes through; on a commitment basis only the
  // signing year counts.
  limit.remaining_bn_krw = {1e6, 1e6, part};
  CHECK(revise_terms(object, terms, effects, generous, {}, limit).term == "buy_back");
  CHECK(revise_terms(object, terms, effects, generous, {},
                     BudgetLimit{"gov", 2026, {1e6}, BudgetBasis::commitment})
            .revised);
}
