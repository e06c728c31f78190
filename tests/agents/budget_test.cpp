// The issuers' budgets (agents/src/budget.cpp): the fiscal year of a commitment, the ledger of
// budgets, reservations and commitments, what a lot commits, and which bids of a round the issuer
// can pay for.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "tenderlab/agents/budget.hpp"
#include "tenderlab/engine/input_error.hpp"

using namespace tenderlab;

namespace {

constexpr double unlimited = std::numeric_limits<double>::infinity();

Date date(const char* iso) {
  return Date::parse(iso).value();
}

/// A procurement call of 1,000 GPUs scored 80 % on technique and 20 % on price.
CallSpec procurement_call(int winners = 1) {
  CallSpec call;
  call.id = "gpus";
  call.kind = CallKind::procurement;
  call.issuer = "gov";
  call.object = test::small_call_object();
  call.evaluation = Evaluation{0.8, 0.2, 0.0, {}};
  call.procedure.min_valid_bids = 1;
  call.winners = winners;
  return call;
}

CallRound round_of(const CallSpec& call) {
  CallRound round;
  round.call = &call;
  round.terms = call.terms;
  round.min_valid_bids = call.procedure.min_valid_bids;
  return round;
}

/// A bid whose technical capability `level` sets its rank (the price weighs little).
Bid bid(const std::string& lead, double price, double level) {
  Bid b;
  b.lead = lead;
  b.members = {lead};
  b.shares = {1.0};
  b.capabilities.cloud_operations = level;
  b.capabilities.sites_power = level;
  b.capabilities.construction = level;
  b.cloud_providers = 1;
  b.price_bn_krw = price;
  return b;
}

/// decide_round, then the issuer's budget for 2026 with `remaining` bn KRW left.
RoundResult decide_within(const CallSpec& call, const std::vector<Bid>& bids, double remaining) {
  const CallRound round = round_of(call);
  RoundResult result = decide_round(round, bids);
  if (result.outcome != RoundOutcome::awarded) return result;
  const auto lots = static_cast<std::int64_t>(result.winners.size());
  BudgetLedger ledger;
  if (remaining != unlimited) ledger.set_budget(call.issuer, {{2026, remaining}});
  const BudgetedAward award =
      award_within_budget(result.ranked, result.winners.size(), ledger, call.issuer, 2026,
                          [&](const Bid& b, std::int64_t lot) {
                            return lot_contract(call.kind, call.object, round.terms, b, lot, lots);
                          });
  apply_budget(result, award, call.issuer);
  return result;
}

std::vector<std::string> winner_leads(const RoundResult& result) {
  std::vector<std::string> leads;
  for (std::size_t index : result.winners)
    leads.push_back(result.ranked[index].bid.lead);
  return leads;
}

}  // namespace

TEST_CASE("the fiscal year of a commitment is the calendar year of its signing date") {
  CHECK(fiscal_year(date("2025-01-01")) == 2025);
  CHECK(fiscal_year(date("2025-12-31")) == 2025);
  CHECK(fiscal_year(date("2026-01-01")) == 2026);
}

TEST_CASE("an issuer without budget entries is unconstrained") {
  BudgetLedger ledger;
  ledger.set_budget("gov", {});
  CHECK_FALSE(ledger.constrained("gov"));
  CHECK(ledger.budget("gov", 2025) == unlimited);
  CHECK(ledger.remaining("gov", 2025) == unlimited);
  CHECK(ledger.fits("gov", 2025, 1e12));
  ledger.reserve("gov", 2025, 300);
  ledger.commit("gov", 2025, 1e6, 300);
  CHECK(ledger.committed("gov", 2025) == 1e6);  // still recorded
  CHECK(ledger.reserved("gov", 2025) == 0);
  CHECK(ledger.remaining("gov", 2025) == unlimited);
}

TEST_CASE("an issuer with budget entries has a budget of 0 in the years its map leaves out") {
  BudgetLedger ledger;
  ledger.set_budget("gov", {{2025, 100.0}, {2026, 0.0}});
  CHECK(ledger.constrained("gov"));
  CHECK(ledger.budget("gov", 2025) == 100.0);
  CHECK(ledger.budget("gov", 2026) == 0.0);
  CHECK(ledger.budget("gov", 2027) == 0.0);
  CHECK(ledger.budget("gov", 2024) == 0.0);
  CHECK(ledger.remaining("gov", 2027) == 0.0);
  CHECK(ledger.fits("gov", 2027, 0.0));
  CHECK_FALSE(ledger.fits("gov", 2027, 0.001));
  CHECK_THROWS_AS(ledger.reserve("gov", 2027, 1.0), ModelError);
}

TEST_CASE("reservations and commitments count against the year's budget") {
  BudgetLedger ledger;
  ledger.set_budget("gov", {{2025, 100.0}, {2026, 50.0}});
  ledger.reserve("gov", 2025, 30);
  CHECK(ledger.reserved("gov", 2025) == 30);
  CHECK(ledger.remaining("gov", 2025) == 70);
  CHECK(ledger.remaining("gov", 2026) == 50);  // other years untouched
  CHECK(ledger.fits("gov", 2025, 70));
  CHECK_FALSE(ledger.fits("gov", 2025, 70.01));

  // Signing turns the reservation into a commitment.
  ledger.commit("gov", 2025, 30, 30);
  CHECK(ledger.reserved("gov", 2025) == 0);
  CHECK(ledger.committed("gov", 2025) == 30);
  CHECK(ledger.remaining("gov", 2025) == 70);

  // A commitment without reservation, to the last won.
  ledger.commit("gov", 2025, 70);
  CHECK(ledger.remaining("gov", 2025) == 0);
  CHECK_THROWS_AS(ledger.commit("gov", 2025, 1), ModelError);
  CHECK_THROWS_AS(ledger.reserve("gov", 2025, 1), ModelError);
  CHECK(ledger.committed("gov", 2025) == 100);  // the refused commitment left no trace

  // Releasing more than was reserved is a bug.
  CHECK_THROWS_AS(ledger.commit("gov", 2026, 10, 5), ModelError);
  CHECK(ledger.committed("gov", 2026) == 0);
}

TEST_CASE("a commitment refused for the budget leaves its reservation in place") {
  BudgetLedger ledger;
  ledger.set_budget("gov", {{2025, 100.0}});
  ledger.reserve("gov", 2025, 40);
  CHECK_THROWS_AS(ledger.commit("gov", 2025, 140.5, 40), ModelError);
  CHECK(ledger.reserved("gov", 2025) == 40);
  CHECK(ledger.committed("gov", 2025) == 0);
}

TEST_CASE("the ledger keeps each issuer's budget apart and reads them from the agents") {
  AgentSpec ministry;
  ministry.id = "ministry";
  ministry.budget_bn_krw_by_year = {{2025, 10.0}};
  AgentSpec bank;
  bank.id = "bank";  // no entries
  AgentSpec region;
  region.id = "region";
  region.budget_bn_krw_by_year = {{2025, 3.0}};
  BudgetLedger ledger({ministry, bank, region});
  CHECK(ledger.constrained("ministry"));
  CHECK_FALSE(ledger.constrained("bank"));
  CHECK_FALSE(ledger.constrained("nobody"));
  ledger.commit("ministry", 2025, 8);
  CHECK(ledger.remaining("ministry", 2025) == 2);
  CHECK(ledger.remaining("region", 2025) == 3);
}

TEST_CASE(
    "a lot commits the price of its share for a procurement and equity plus tax credit "
    "for an SPC") {
  const CallObject object = test::small_call_object();  // 1,000 GPUs
  Terms terms;
  terms.public_equity_share = 0.4;
  terms.paid_in_capital_bn_krw = 30;
  terms.tax_credit = 0.1;
  Bid b = bid("a", 90, 0.5);
  b.non_capital_site = false;
  terms.site = SiteRule::any;

  const LotContract whole = lot_contract(CallKind::procurement, object, terms, b, 0, 1);
  CHECK(whole.gpus == 1000);
  CHECK(whole.price_bn_krw == 90);
  CHECK(whole.public_money_bn_krw == 90);
  CHECK_FALSE(whole.non_capital_site);  // the site the team proposed

  // Three lots: the first takes the remainder; each is paid a third of the price.
  const LotContract first = lot_contract(CallKind::procurement, object, terms, b, 0, 3);
  const LotContract last = lot_contract(CallKind::procurement, object, terms, b, 2, 3);
  CHECK(first.gpus == 334);
  CHECK(last.gpus == 333);
  CHECK(last.price_bn_krw == Approx(30));
  CHECK(last.public_money_bn_krw == Approx(30));

  // An SPC lot: public equity on its share of the paid-in capital, plus the tax credit.
  const LotContract spc = lot_contract(CallKind::spc_partner, object, terms, b, 1, 2);
  CHECK(spc.gpus == 500);
  // At least its half of the paid-in capital (more where the lender lends less than the rest).
  CHECK(spc.financing.equity >= 15);
  CHECK(spc.financing.equity < spc.financing.capex());
  CHECK(spc.financing.public_equity == Approx(0.4 * spc.financing.equity));
  CHECK(spc.public_money_bn_krw ==
        Approx(spc.financing.public_equity +
               0.1 * (spc.financing.gpu_capex + spc.financing.building_capex)));
  CHECK_THROWS_AS(lot_contract(CallKind::spc_partner, object, terms, b, 2, 2), ModelError);
}

TEST_CASE(
    "on a cash basis a lot charges what is paid out each year, on a commitment basis all "
    "its public money in the signing year") {
  const CallObject object = test::small_call_object();
  Terms terms;
  terms.public_equity_share = 0.4;
  terms.paid_in_capital_bn_krw = 30;
  terms.paid_in_years = 4;
  terms.tax_credit = 0.1;
  const Bid b = bid("a", 90, 0.5);

  const LotContract committed = lot_contract(CallKind::spc_partner, object, terms, b, 0, 1);
  CHECK(committed.budget_charge_bn_krw ==
        std::vector<double>{committed.financing.public_equity + committed.financing.tax_credit});

  const LotContract cash =
      lot_contract(CallKind::spc_partner, object, terms, b, 0, 1, {}, {}, BudgetBasis::cash);
  REQUIRE(cash.financing.public_equity > 0);
  REQUIRE(cash.financing.tax_credit > 0);
  // The public equity in four equal parts from the signing year; the tax credit is no outlay.
  const double part = cash.financing.public_equity / 4;
  CHECK(cash.budget_charge_bn_krw == std::vector<double>{part, part, part, part});
  CHECK(cash.public_money_bn_krw == committed.public_money_bn_krw);  // the same contract

  // Equity paid in at once (paid_in_years below 1 counts as 1); a procurement pays its price
  // in the signing year on either basis.
  terms.paid_in_years = 0;
  CHECK(lot_contract(CallKind::spc_partner, object, terms, b, 0, 1, {}, {}, BudgetBasis::cash)
            .budget_charge_bn_krw == std::vector<double>{cash.financing.public_equity});
  CHECK(lot_contract(CallKind::procurement, object, terms, b, 1, 3, {}, {}, BudgetBasis::cash)
            .budget_charge_bn_krw == std::vector<double>{30});
}

TEST_CASE("a charge over several years fits only if it fits every year, and is taken whole") {
  BudgetLedger ledger;
  ledger.set_budget("gov", {{2025, 100.0}, {2026, 20.0}}, BudgetBasis::cash);
  CHECK(ledger.basis("gov") == BudgetBasis::cash);
  CHECK(ledger.basis("nobody") == BudgetBasis::commitment);
  CHECK_FALSE(ledger.short_year("gov", 2025, {50, 20}));
  CHECK(ledger.short_year("gov", 2025, {50, 20.5}) == 2026);
  CHECK(ledger.short_year("gov", 2025, {50, 20, 1}) == 2027);  // 2027 is not listed
  CHECK(ledger.short_year("gov", 2025, {150, 30}) == 2025);    // the first year short

  CHECK_THROWS_AS(ledger.reserve("gov", 2025, std::vector<double>{50, 25}), ModelError);
  CHECK(ledger.reserved("gov", 2025) == 0);  // nothing of the refused charge is held
  ledger.reserve("gov", 2025, std::vector<double>{50, 15});
  CHECK(ledger.remaining("gov", 2025) == 50);
  CHECK(ledger.remaining("gov", 2026) == 5);

  // Signing commits each year's part and releases its reservation; a refusal changes nothing.
  CHECK_THROWS_AS(ledger.commit("gov", 2025, {50, 26}, {50, 15}), ModelError);
  CHECK(ledger.reserved("gov", 2026) == 15);
  CHECK(ledger.committed("gov", 2025) == 0);
  CHECK_THROWS_AS(ledger.commit("gov", 2025, {50, 15}, {50, 16}), ModelError);
  ledger.commit("gov", 2025, {50, 15}, {50, 15});
  CHECK(ledger.reserved("gov", 2025) == 0);
  CHECK(ledger.reserved("gov", 2026) == 0);
  CHECK(ledger.committed("gov", 2026) == 15);
  CHECK(ledger.remaining("gov", 2026) == 5);
}

TEST_CASE("a bid whose charge does not fit a later year is passed over, naming that year") {
  CallSpec call = procurement_call();
  call.kind = CallKind::spc_partner;
  const CallRound round = round_of(call);
  RoundResult result = decide_round(round, {bid("a", 80, 0.9), bid("b", 80, 0.5)});
  REQUIRE(result.outcome == RoundOutcome::awarded);
  REQUIRE(result.ranked.size() == 2);
  // Bid a's team pays in over three years, bid b's at once (say, by the lots it would sign).
  auto contract_of = [](const Bid& b, std::int64_t) {
    LotContract contract;
    contract.budget_charge_bn_krw =
        b.lead == "a" ? std::vector<double>{10, 10, 10} : std::vector<double>{25};
    return contract;
  };
  BudgetLedger ledger;
  ledger.set_budget(call.issuer, {{2026, 30.0}, {2027, 10.0}}, BudgetBasis::cash);
  const BudgetedAward award =
      award_within_budget(result.ranked, 1, ledger, call.issuer, 2026, contract_of);
  REQUIRE(award.winners.size() == 1);
  CHECK(result.ranked[award.winners.front()].bid.lead == "b");
  CHECK(award.passed_over_year == std::vector<int>{2028});
  CHECK(award.passed_over_money == std::vector<double>{10});
  CHECK(award.remaining_when_tried == std::vector<double>{0});
  CHECK(ledger.reserved(call.issuer, 2026) == 0);  // the caller's ledger is left to the caller
  apply_budget(result, award, call.issuer);
  CHECK(result.reason.find("; a passed over: 10.000 bn KRW of public money, 0.000 bn KRW left "
                           "of gov's 2028 budget") != std::string::npos);
}

TEST_CASE("a round whose best bid exceeds the remaining budget goes to the next valid bid") {
  const CallSpec call = procurement_call();
  // a ranks first on technique but asks 80; b asks 50; c, without any capability, scores 20,
  // below the pass mark set here, and is invalid however little it asks.
  CallSpec strict = call;
  strict.evaluation.pass_mark = 25;
  const std::vector<Bid> bids{bid("a", 80, 0.9), bid("b", 50, 0.5), bid("c", 10, 0.0)};
  const RoundResult unconstrained = decide_within(strict, bids, unlimited);
  REQUIRE(unconstrained.outcome == RoundOutcome::awarded);
  CHECK(winner_leads(unconstrained) == std::vector<std::string>{"a"});
  CHECK(unconstrained.reason == decide_round(round_of(strict), bids).reason);

  const RoundResult result = decide_within(strict, bids, 60);
  REQUIRE(result.outcome == RoundOutcome::awarded);
  CHECK(winner_leads(result) == std::vector<std::string>{"b"});
  CHECK(result.valid_bids == 2);
  CHECK(result.reason == unconstrained.reason +
                             "; a passed over: 80.000 bn KRW of public money, 60.000 bn KRW left "
                             "of gov's 2026 budget");
}

TEST_CASE("a bid that fits exactly what is left is signable, an invalid bid never is") {
  CallSpec call = procurement_call();
  call.terms.ceiling_price_bn_krw = 70;
  const std::vector<Bid> bids{bid("a", 60, 0.9), bid("over-ceiling", 75, 0.9)};
  const RoundResult exact = decide_within(call, bids, 60);
  CHECK(winner_leads(exact) == std::vector<std::string>{"a"});
  const RoundResult short_by_a_little = decide_within(call, bids, 59.99);
  CHECK(short_by_a_little.outcome == RoundOutcome::failed);
  CHECK(short_by_a_little.winners.empty());
}

TEST_CASE("a round fails with the budget as its reason when no valid bid fits") {
  const CallSpec call = procurement_call();
  const std::vector<Bid> bids{bid("a", 80, 0.9), bid("b", 50, 0.5)};
  const RoundResult result = decide_within(call, bids, 40);
  CHECK(result.outcome == RoundOutcome::failed);
  CHECK(result.winners.empty());
  CHECK(result.valid_bids == 2);
  CHECK(result.reason ==
        "2 valid bids, none within gov's 2026 budget: 40.000 bn KRW left, the least public money "
        "a valid bid needs is 50.000 bn KRW");
  // Every bid is still reported, ranked as before.
  REQUIRE(result.ranked.size() == 2);
  CHECK(result.ranked[0].bid.lead == "a");
}

TEST_CASE("with several lots each lot goes to the next bid that fits what the earlier lots left") {
  const CallSpec call = procurement_call(2);  // two lots of 500 GPUs
  // Lot prices are half the bids: a 40, b 35, c 20. After a's lot, 30 are left: b is passed
  // over and c takes the second lot.
  const std::vector<Bid> bids{bid("a", 80, 0.9), bid("b", 70, 0.8), bid("c", 40, 0.3)};
  const RoundResult result = decide_within(call, bids, 70);
  REQUIRE(result.outcome == RoundOutcome::awarded);
  CHECK(winner_leads(result) == std::vector<std::string>{"a", "c"});
  CHECK(result.reason.find("; b passed over: 35.000 bn KRW of public money, 30.000 bn KRW left "
                           "of gov's 2026 budget") != std::string::npos);

  // Nothing fits the second lot: one lot is awarded, the other stays unawarded.
  const RoundResult one_lot = decide_within(call, bids, 45);
  REQUIRE(one_lot.outcome == RoundOutcome::awarded);
  CHECK(winner_leads(one_lot) == std::vector<std::string>{"a"});
}

TEST_CASE("the budget leaves a round that already failed as it was") {
  CallSpec call = procurement_call();
  call.procedure.min_valid_bids = 2;
  RoundResult result = decide_round(round_of(call), {bid("a", 80, 0.9)});
  REQUIRE(result.outcome == RoundOutcome::failed);
  BudgetedAward nothing_fits;
  nothing_fits.passed_over = {0};
  nothing_fits.passed_over_year = {2026};
  nothing_fits.passed_over_money = {80};
  nothing_fits.remaining_when_tried = {0};
  apply_budget(result, nothing_fits, "gov");
  CHECK(result.outcome == RoundOutcome::failed);
  CHECK(result.reason == "1 valid bid of 1 received; 2 required");
}
