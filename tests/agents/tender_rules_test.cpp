// The tender board's rules (agents/src/tender_rules.cpp): validity, scoring, ranking, the
// minimum-valid-bids rule and the win probabilities bidders use.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tenderlab/agents/tender_rules.hpp"

using namespace tenderlab;

namespace {

CallSpec make_call() {
  CallSpec call;
  call.id = "call-1";
  call.evaluation = Evaluation{0.8, 0.2, 0.0, {}};
  call.procedure.min_valid_bids = 2;
  call.winners = 1;
  return call;
}

CallRound make_round(const CallSpec& call, int min_valid_bids) {
  CallRound round;
  round.call = &call;
  round.terms = call.terms;
  round.min_valid_bids = min_valid_bids;
  return round;
}

Capabilities capable(double level = 0.8) {
  Capabilities c;
  c.cloud_operations = level;
  c.sites_power = level;
  c.construction = level;
  return c;
}

Bid make_bid(const std::string& lead, double price, std::uint64_t seq,
             Capabilities capabilities = capable()) {
  Bid bid;
  bid.lead = lead;
  bid.members = {lead};
  bid.shares = {1.0};
  bid.capabilities = capabilities;
  bid.cloud_providers = 1;
  bid.price_bn_krw = price;
  bid.lottery = seq;
  return bid;
}

std::vector<std::string> leads_in_order(const RoundResult& result) {
  std::vector<std::string> leads;
  for (const auto& s : result.ranked)
    leads.push_back(s.bid.lead);
  return leads;
}

}  // namespace

TEST_CASE("a call with one bid fails when two are required") {
  const CallSpec call = make_call();
  const RoundResult result = decide_round(make_round(call, 2), {make_bid("a", 10, 1)});
  CHECK(result.outcome == RoundOutcome::failed);
  CHECK(result.valid_bids == 1);
  CHECK(result.winners.empty());
  CHECK(result.reason == "1 valid bid of 1 received; 2 required");
  REQUIRE(result.ranked.size() == 1);  // the bid is still reported
  CHECK(result.ranked[0].valid);
}

TEST_CASE("a call with two bids of which one is invalid fails when two are required") {
  CallSpec call = make_call();
  call.terms.ceiling_price_bn_krw = 50.0;
  CallRound round = make_round(call, 2);
  const RoundResult result = decide_round(round, {make_bid("a", 40, 1), make_bid("b", 60, 2)});
  CHECK(result.outcome == RoundOutcome::failed);
  CHECK(result.valid_bids == 1);
  CHECK(result.reason == "1 valid bid of 2 received; 2 required");
}

TEST_CASE("a bid without the grid connection the call requires is invalid") {
  CallSpec call = make_call();
  call.eligibility.min_grid_mw = 30;
  const CallRound round = make_round(call, 1);
  Bid short_of_power = make_bid("a", 90, 1);
  short_of_power.grid_mw = 29.9;
  Bid powered = make_bid("b", 100, 2);
  powered.grid_mw = 30;
  const RoundResult result = decide_round(round, {short_of_power, powered});
  REQUIRE(result.ranked.size() == 2);
  const auto& a = *std::find_if(result.ranked.begin(), result.ranked.end(),
                                [](const ScoredBid& s) { return s.bid.lead == "a"; });
  const auto& b = *std::find_if(result.ranked.begin(), result.ranked.end(),
                                [](const ScoredBid& s) { return s.bid.lead == "b"; });
  CHECK_FALSE(a.valid);
  CHECK(a.invalid_reason == "not eligible: grid connection below the minimum");
  CHECK(b.valid);
  // The ineligible bid's lower price does not set the price scale: b gets the full price score.
  CHECK(b.price_score == Approx(100));
}

TEST_CASE("a call with zero bids fails") {
  const CallSpec call = make_call();
  for (int required : {1, 2}) {
    const RoundResult result = decide_round(make_round(call, required), {});
    CHECK(result.outcome == RoundOutcome::failed);
    CHECK(result.valid_bids == 0);
    CHECK(result.ranked.empty());
    CHECK(result.winners.empty());
    CHECK(result.reason == "0 valid bids of 0 received; " + std::to_string(required) + " required");
  }
}

TEST_CASE("one bid suffices on a re-announcement that requires one valid bid") {
  const CallSpec call = make_call();
  CallRound round = make_round(call, 1);
  round.round = 2;
  round.kind = RoundKind::reannouncement;
  const RoundResult result = decide_round(round, {make_bid("a", 10, 1)});
  CHECK(result.outcome == RoundOutcome::awarded);
  REQUIRE(result.winners == std::vector<std::size_t>{0});
  CHECK(result.ranked[0].bid.lead == "a");
  CHECK(result.reason.rfind("1 valid bid; best score ", 0) == 0);
}

TEST_CASE("a bid exactly at the ceiling price is valid and one just above is invalid") {
  CallSpec call = make_call();
  call.terms.ceiling_price_bn_krw = 100.0;
  const CallRound round = make_round(call, 1);
  const double above = std::nextafter(100.0, 200.0);
  const auto scored = score_bids(
      round, {make_bid("at", 100.0, 1), make_bid("above", above, 2), make_bid("below", 99.0, 3)});
  REQUIRE(scored.size() == 3);
  CHECK(scored[0].valid);
  CHECK(scored[0].invalid_reason.empty());
  CHECK_FALSE(scored[1].valid);
  CHECK(scored[1].invalid_reason == "price above the ceiling");
  CHECK(scored[2].valid);
}

TEST_CASE("without a ceiling price any price is valid") {
  const CallSpec call = make_call();
  const auto scored = score_bids(make_round(call, 1), {make_bid("a", 1e9, 1)});
  REQUIRE(scored.size() == 1);
  CHECK(scored[0].valid);
}

TEST_CASE("the lowest price gets the full price score and others a proportional one") {
  const CallSpec call = make_call();
  const auto scored =
      score_bids(make_round(call, 1), {make_bid("a", 50, 1), make_bid("b", 100, 2)});
  CHECK(scored[0].price_score == Approx(100.0));
  CHECK(scored[1].price_score == Approx(50.0));
  const double technical = technical_score(capable());
  CHECK(scored[0].technical_score == Approx(technical));
  CHECK(scored[0].total_score == Approx(0.8 * technical + 0.2 * 100.0));
  CHECK(scored[1].total_score == Approx(0.8 * technical + 0.2 * 50.0));
}

TEST_CASE("an ineligible bid's low price does not lower the eligible bids' price scores") {
  // score_bids takes the lowest price over every bid, eligible or not, so a bid that is thrown
  // out for eligibility (or for exceeding the ceiling) still sets the price scale for the others
  // and can push a valid bid below the pass mark.
  CallSpec call = make_call();
  call.eligibility.min_cloud_operations = 0.5;
  call.evaluation.pass_mark = 85.0;
  const CallRound round = make_round(call, 1);
  Capabilities weak;
  weak.cloud_operations = 0.1;                  // not eligible
  const Capabilities strong{1, 1, 1, 1, 1, 1};  // total 80 + 0.2 x price score
  const auto alone = score_bids(round, {make_bid("valid", 100, 1, strong)});
  const auto with_ineligible =
      score_bids(round, {make_bid("valid", 100, 1, strong), make_bid("ineligible", 10, 2, weak)});
  REQUIRE_FALSE(with_ineligible[1].valid);
  CHECK(with_ineligible[0].price_score == Approx(alone[0].price_score));
  CHECK(with_ineligible[0].valid);
}

TEST_CASE("a bid asking no public money gets the full price score") {
  const CallSpec call = make_call();
  const auto scored = score_bids(make_round(call, 1), {make_bid("free", 0, 1)});
  CHECK(scored[0].price_score == Approx(100.0));
}

TEST_CASE("the technical score weighs operations and power most") {
  CHECK(technical_score(Capabilities{}) == 0.0);
  CHECK(technical_score(Capabilities{1, 1, 1, 1, 1, 1}) == Approx(100.0));
  Capabilities ops, chips;
  ops.cloud_operations = 1;
  chips.chips = 1;
  CHECK(technical_score(ops) == Approx(30.0));
  CHECK(technical_score(chips) == Approx(10.0));
}

TEST_CASE("tied scores are broken by the lower price, then by the lower lottery draw") {
  CallSpec call = make_call();
  call.evaluation = Evaluation{1.0, 0.0, 0.0, {}};  // price does not enter the score: a true tie
  call.winners = 1;
  const CallRound round = make_round(call, 1);
  const RoundResult result =
      decide_round(round, {make_bid("late-cheap", 80, 9), make_bid("early-dear", 90, 1),
                           make_bid("late-dear", 90, 7), make_bid("early-cheap", 80, 3)});
  REQUIRE(result.outcome == RoundOutcome::awarded);
  for (const auto& s : result.ranked)
    REQUIRE(s.total_score == result.ranked[0].total_score);
  CHECK(leads_in_order(result) ==
        std::vector<std::string>{"early-cheap", "late-cheap", "early-dear", "late-dear"});
  REQUIRE(result.winners == std::vector<std::size_t>{0});
}

TEST_CASE("a higher score wins over a lower price") {
  const CallSpec call = make_call();
  const RoundResult result = decide_round(
      make_round(call, 1),
      {make_bid("cheap-weak", 80, 1, capable(0.2)), make_bid("dear-strong", 90, 2, capable(1.0))});
  CHECK(leads_in_order(result) == std::vector<std::string>{"dear-strong", "cheap-weak"});
}

TEST_CASE("eligibility minimums on sites and power and on operations make a bid invalid") {
  CallSpec call = make_call();
  call.eligibility = Eligibility{0.5, 0.6};
  const CallRound round = make_round(call, 1);
  Capabilities at_minimum;
  at_minimum.sites_power = 0.5;
  at_minimum.cloud_operations = 0.6;
  Capabilities low_power = at_minimum, low_operations = at_minimum;
  low_power.sites_power = 0.49;
  low_operations.cloud_operations = 0.59;
  const auto scored =
      score_bids(round, {make_bid("ok", 10, 1, at_minimum), make_bid("power", 10, 2, low_power),
                         make_bid("ops", 10, 3, low_operations)});
  CHECK(scored[0].valid);
  CHECK_FALSE(scored[1].valid);
  CHECK(scored[1].invalid_reason == "not eligible: sites and power below the minimum");
  CHECK_FALSE(scored[2].valid);
  CHECK(scored[2].invalid_reason == "not eligible: operating experience below the minimum");
}

TEST_CASE("a bid scoring below the pass mark is invalid and one at the mark is valid") {
  CallSpec call = make_call();
  call.evaluation = Evaluation{1.0, 0.0, 0.0, {}};
  Capabilities ops;
  ops.cloud_operations = 1.0;  // technical score 30
  call.evaluation.pass_mark = 30.0;
  const auto at_mark = score_bids(make_round(call, 1), {make_bid("a", 10, 1, ops)});
  CHECK(at_mark[0].total_score == Approx(30.0));
  CHECK(at_mark[0].valid);
  call.evaluation.pass_mark = 30.5;
  const auto below = score_bids(make_round(call, 1), {make_bid("a", 10, 1, ops)});
  CHECK_FALSE(below[0].valid);
  CHECK(below[0].invalid_reason == "score below the pass mark");
}

TEST_CASE("invalid bids are ranked after every valid bid and never win") {
  CallSpec call = make_call();
  call.terms.ceiling_price_bn_krw = 50.0;
  call.winners = 2;
  const RoundResult result = decide_round(
      make_round(call, 1),
      {make_bid("strong-but-dear", 60, 1, capable(1.0)), make_bid("weak", 40, 2, capable(0.3))});
  REQUIRE(result.outcome == RoundOutcome::awarded);
  CHECK(leads_in_order(result) == std::vector<std::string>{"weak", "strong-but-dear"});
  CHECK(result.valid_bids == 1);
  CHECK(result.winners == std::vector<std::size_t>{0});  // fewer valid bids than winners
}

TEST_CASE("a call with several winners awards the best valid bids") {
  CallSpec call = make_call();
  call.winners = 2;
  const RoundResult result = decide_round(
      make_round(call, 2), {make_bid("c", 30, 3, capable(0.4)), make_bid("a", 30, 1, capable(0.9)),
                            make_bid("b", 30, 2, capable(0.6))});
  REQUIRE(result.outcome == RoundOutcome::awarded);
  CHECK(result.valid_bids == 3);
  CHECK(result.winners == std::vector<std::size_t>{0, 1});
  CHECK(leads_in_order(result) == std::vector<std::string>{"a", "b", "c"});
  CHECK(result.reason.rfind("3 valid bids; best score ", 0) == 0);
}

TEST_CASE("a call with more winners than valid bids awards every valid bid") {
  CallSpec call = make_call();
  call.winners = 3;
  const RoundResult result =
      decide_round(make_round(call, 1), {make_bid("a", 30, 1), make_bid("b", 30, 2)});
  REQUIRE(result.outcome == RoundOutcome::awarded);
  CHECK(result.winners == std::vector<std::size_t>{0, 1});
}

TEST_CASE("the multi-CSP bonus goes to teams with two cloud providers or more") {
  CallSpec call = make_call();
  call.terms.multi_csp_bonus = 5.0;
  const CallRound round = make_round(call, 1);
  Bid single = make_bid("single", 30, 1), pair = make_bid("pair", 30, 2),
      triple = make_bid("triple", 30, 3);
  pair.cloud_providers = 2;
  triple.cloud_providers = 3;
  const auto scored = score_bids(round, {single, pair, triple});
  CHECK(scored[1].total_score == Approx(scored[0].total_score + 5.0));
  CHECK(scored[2].total_score == Approx(scored[0].total_score + 5.0));
  // The bonus decides the ranking between otherwise equal bids, and can lift a bid over the
  // pass mark.
  CHECK(leads_in_order(decide_round(round, {single, pair}))[0] == "pair");
  call.evaluation.pass_mark = scored[0].total_score + 1.0;
  const auto with_mark = score_bids(make_round(call, 1), {single, pair});
  CHECK_FALSE(with_mark[0].valid);
  CHECK(with_mark[1].valid);
}

TEST_CASE("expected_score is the weighted technical score, a full price score and the bonus") {
  CallSpec call = make_call();
  call.terms.multi_csp_bonus = 3.0;
  const CallRound round = make_round(call, 1);
  const Capabilities c = capable(0.5);
  const double base = 0.8 * technical_score(c) + 0.2 * 100.0;
  CHECK(expected_score(round, c, 1) == Approx(base));
  CHECK(expected_score(round, c, 2) == Approx(base + 3.0));
  // It matches the score an uncontested bid gets from the board.
  CHECK(score_bids(round, {make_bid("a", 10, 1, c)})[0].total_score ==
        Approx(expected_score(round, c, 1)));
}

TEST_CASE("win_probability is 1 without rivals") {
  CHECK(win_probability(10.0, {}, 5.0) == 1.0);
  CHECK(win_probability(0.0, {}, 0.0) == 1.0);
}

TEST_CASE("win_probability with n equal rivals is 1/(n+1)") {
  for (int n = 1; n <= 5; ++n) {
    const std::vector<double> rivals(static_cast<std::size_t>(n), 70.0);
    CHECK(win_probability(70.0, rivals, 5.0) == Approx(1.0 / (n + 1)));
  }
}

TEST_CASE("win_probability rises with the team's own score") {
  const std::vector<double> rivals{60.0, 72.0, 80.0};
  double previous = 0;
  for (double own = 40; own <= 120; own += 5) {
    const double p = win_probability(own, rivals, 5.0);
    CHECK(p > previous);
    CHECK(p > 0.0);
    CHECK(p < 1.0);
    previous = p;
  }
}

TEST_CASE("win_probability of every team in a field adds up to one") {
  const std::vector<double> scores{55.0, 70.0, 71.5, 90.0};
  double total = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    std::vector<double> rivals;
    for (std::size_t j = 0; j < scores.size(); ++j)
      if (j != i) rivals.push_back(scores[j]);
    total += win_probability(scores[i], rivals, 4.0);
  }
  CHECK(total == Approx(1.0));
}

TEST_CASE("win_probability with zero temperature is a step: the strictly best team wins") {
  CHECK(win_probability(80.0, {70.0, 79.9}, 0.0) == 1.0);
  CHECK(win_probability(70.0, {70.1}, 0.0) == 0.0);
}

TEST_CASE("win_probability stays finite for scores far apart") {
  CHECK(win_probability(0.0, {1000.0}, 1.0) == Approx(0.0).margin(1e-300));
  CHECK(win_probability(1000.0, {0.0}, 1.0) == Approx(1.0));
}

TEST_CASE("round outcomes have stable names") {
  CHECK(std::string(to_string(RoundOutcome::awarded)) == "awarded");
  CHECK(std::string(to_string(RoundOutcome::failed)) == "failed");
  CHECK(std::string(to_string(RoundOutcome::negotiated)) == "negotiated");
  CHECK(std::string(to_string(RoundOutcome::cancelled)) == "cancelled");
  CHECK(std::string(to_string(RoundKind::reannouncement)) == "reannouncement");
}
