// Procurement bids (agents/src/procurement_bid.cpp and offer_supply in participation.cpp): the
// first-price auction's equilibrium with private costs, a reserve and bid costs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "fixtures.hpp"
#include "tenderlab/agents/participation.hpp"
#include "tenderlab/agents/procurement_bid.hpp"
#include "tenderlab/engine/rng.hpp"

using namespace tenderlab;

namespace {

/// Rivals' costs around 100 bn KRW with a 5 % standard deviation, truncated at 3: [85, 115].
SupplyCostDistribution hundred() {
  return SupplyCostDistribution{100, 0.05, 3};
}

ProcurementAuction auction(std::size_t suppliers, double reserve, double bid_cost,
                           std::size_t lots = 1) {
  return ProcurementAuction{hundred(), suppliers, lots, reserve, bid_cost};
}

/// A cost drawn as suppliers draw theirs: the distribution's mean times a truncated normal.
double draw_cost(const SupplyCostDistribution& costs, Rng& rng) {
  double z = rng.normal();
  while (std::abs(z) > costs.truncation)
    z = rng.normal();
  return costs.mean_bn_krw * (1 + costs.sd_share * z);
}

}  // namespace

TEST_CASE("the cost distribution spans mean x (1 +- truncation x sd) and is symmetric") {
  const SupplyCostDistribution costs = hundred();
  CHECK(costs.low() == Approx(85));
  CHECK(costs.high() == Approx(115));
  CHECK(costs.cdf(84) == 0);
  CHECK(costs.cdf(85) == 0);
  CHECK(costs.cdf(100) == Approx(0.5));
  CHECK(costs.cdf(95) == Approx(1 - costs.cdf(105)));
  CHECK(costs.cdf(115) == 1);
  CHECK(costs.cdf(90) < costs.cdf(91));
}

TEST_CASE("two suppliers without bid costs bid the rival's expected cost above their own") {
  // n = 2, K = 0, R at the top of the range: b(c) = E[C | C > c]. At the bottom of the range the
  // condition is empty, so the bid is the mean of the symmetric distribution: 100.
  const ProcurementAuction two = auction(2, 115, 0);
  CHECK(two.entry_threshold() == Approx(115));
  CHECK(two.bid(85) == Approx(100).epsilon(1e-9));
  CHECK(two.bid(60) == Approx(two.bid(85)).epsilon(1e-12));  // nobody is cheaper than 85
  // At the mean: E[C | C > 100] = 100 + 5 x phi(0) / (Phi(3) - 1/2) for the truncated normal.
  const double phi0 = 1 / std::sqrt(2 * M_PI);
  const double tail_mass = 0.5 * std::erfc(-3 / std::sqrt(2.0)) - 0.5;
  const double phi3 = std::exp(-4.5) / std::sqrt(2 * M_PI);
  CHECK(two.bid(100) == Approx(100 + 5 * (phi0 - phi3) / tail_mass).epsilon(1e-9));
}

TEST_CASE("a lone supplier bids the reserve whatever its cost") {
  const ProcurementAuction alone = auction(1, 120, 2);
  CHECK(alone.entry_threshold() == Approx(115));  // R - K = 118 is above the range
  CHECK(alone.bid(90) == Approx(120));
  CHECK(alone.bid(110) == Approx(120));
  CHECK(alone.expected_profit(90) == Approx(30));
  const ProcurementAuction tight = auction(1, 100, 2);
  CHECK(tight.entry_threshold() == Approx(98));  // (R - c*) = K
  CHECK(tight.expected_profit(98) == Approx(2));
}

TEST_CASE("bids rise with cost, stay between cost and reserve and reach the reserve at c*") {
  for (const std::size_t n : {2U, 3U, 6U}) {
    for (const double bid_cost : {0.0, 0.5, 2.0}) {
      const ProcurementAuction a = auction(n, 112, bid_cost);
      const double threshold = a.entry_threshold();
      REQUIRE(threshold > 85);
      REQUIRE(threshold <= 112);
      double previous = 0;
      for (double cost = 85; cost < threshold; cost += 0.5) {
        const double bid = a.bid(cost);
        CHECK(bid > cost);
        CHECK(bid <= 112);
        CHECK(bid >= previous);
        previous = bid;
      }
      CHECK(a.bid(threshold - 1e-7) == Approx(112).epsilon(1e-4));
      CHECK(a.bid(threshold) == 112);
    }
  }
}

TEST_CASE("the entry threshold leaves the marginal entrant exactly its bid cost") {
  const ProcurementAuction a = auction(4, 115, 1.5);
  const double threshold = a.entry_threshold();
  CHECK(threshold < 115);
  const double survival = 1 - a.costs.cdf(threshold);
  CHECK((115 - threshold) * std::pow(survival, 3) == Approx(1.5).epsilon(1e-6));
  CHECK(a.expected_profit(threshold) == Approx(1.5).epsilon(1e-6));
  // Cheaper suppliers expect more.
  CHECK(a.expected_profit(threshold - 3) > 1.5);
  CHECK(a.expected_profit(threshold + 1) < 1.5);
}

TEST_CASE("a bid cost nobody can cover keeps every supplier out") {
  const ProcurementAuction a = auction(3, 115, 40);
  CHECK(a.entry_threshold() == Approx(85));
  CHECK(a.expected_profit(100) < 40);
}

TEST_CASE("more rivals leave a supplier a smaller margin") {
  const double two = auction(2, 115, 0).bid(95);
  const double five = auction(5, 115, 0).bid(95);
  const double ten = auction(10, 115, 0).bid(95);
  CHECK(two > five);
  CHECK(five > ten);
  CHECK(ten > 95);
}

TEST_CASE("a lower ceiling lowers the bids") {
  CHECK(auction(3, 105, 0.5).bid(92) < auction(3, 115, 0.5).bid(92));
}

namespace {

struct PairedGap {
  double mean = 0;
  double standard_error = 0;
};

/// Over `auctions` draws of the n suppliers' costs: what the buyer pays in the first-price
/// auction (the L lowest costs' bids) minus L times the (L + 1)-th lowest cost, the payment of the
/// uniform-price auction on the same draws. Revenue equivalence says its mean is zero.
PairedGap paired_revenue_gap(const ProcurementAuction& a, const std::string& stream, int auctions) {
  Rng rng(7, 0, stream);
  double sum = 0;
  double sum_squares = 0;
  for (int i = 0; i < auctions; ++i) {
    std::vector<double> costs;
    for (std::size_t j = 0; j < a.suppliers; ++j)
      costs.push_back(draw_cost(a.costs, rng));
    std::sort(costs.begin(), costs.end());
    double paid = 0;
    for (std::size_t w = 0; w < a.lots; ++w)
      paid += a.bid(costs[w]);
    const double difference = paid - static_cast<double>(a.lots) * costs[a.lots];
    sum += difference;
    sum_squares += difference * difference;
  }
  const double mean = sum / auctions;
  return {mean, std::sqrt((sum_squares / auctions - mean * mean) / (auctions - 1))};
}

}  // namespace

TEST_CASE("revenue equivalence: the mean price paid is the expected second-lowest cost") {
  // Symmetric suppliers, no bid costs, the reserve at the top of the range: the first-price
  // auction's expected payment equals the second-price auction's, E[second-lowest cost].
  for (const std::size_t n : {2U, 4U, 7U}) {
    const PairedGap gap =
        paired_revenue_gap(auction(n, 115, 0), "revenue-equivalence/" + std::to_string(n), 4000);
    INFO("n = " << n << ": mean price minus second-lowest cost " << gap.mean << " (se "
                << gap.standard_error << ")");
    CHECK(std::abs(gap.mean) < 3 * gap.standard_error);
    CHECK(gap.standard_error > 0);
  }
}

TEST_CASE("revenue equivalence with several lots: L times the (L + 1)-th lowest cost") {
  for (const std::size_t lots : {2U, 3U}) {
    const PairedGap gap = paired_revenue_gap(
        auction(6, 115, 0, lots), "revenue-equivalence-lots/" + std::to_string(lots), 3000);
    INFO(lots << " lots: mean payment minus L x the (L+1)-th cost " << gap.mean << " (se "
              << gap.standard_error << ")");
    CHECK(std::abs(gap.mean) < 3 * gap.standard_error);
  }
}

TEST_CASE("with a lot for every supplier each bids the reserve") {
  const ProcurementAuction a = auction(2, 110, 1, 2);
  CHECK(a.bid(90) == 110);
  CHECK(a.expected_profit(90) == Approx(10));  // (110 - 90) / 2 lots, won for sure
  CHECK(a.entry_threshold() == Approx(108));   // (110 - c*) / 2 = 1
}

TEST_CASE("a second lot raises the bids: a supplier need not be the cheapest to win") {
  CHECK(auction(4, 115, 0, 2).bid(95) > auction(4, 115, 0, 1).bid(95));
}

TEST_CASE("the paired revenue check fails for a supplier that bids its cost") {
  // The negative control of the test above: bidding at cost pays the lowest cost, well below the
  // second-lowest on average, so the same statistic rejects it.
  const ProcurementAuction a = auction(4, 115, 0);
  Rng rng(7, 0, "revenue-control");
  double sum = 0;
  constexpr int auctions = 2000;
  for (int i = 0; i < auctions; ++i) {
    std::vector<double> costs;
    for (int j = 0; j < 4; ++j)
      costs.push_back(draw_cost(a.costs, rng));
    std::sort(costs.begin(), costs.end());
    sum += costs[0] - costs[1];
  }
  CHECK(sum / auctions < -2);  // about -3.5 for four draws with a 5 bn KRW spread
}

namespace {

AgentSpec supplier(const std::string& id, const char* kind, double operations) {
  AgentSpec agent;
  agent.id = id;
  agent.kind = AgentKind::named(kind);
  agent.capabilities.cloud_operations = operations;
  agent.bid_cost_bn_krw = 0.5;
  return agent;
}

struct ProcurementCall {
  CallSpec call;
  CallRound round;
  ProcurementCall() {
    call.id = "gpu-lot";
    call.kind = CallKind::procurement;
    call.object = test::small_call_object();  // 1,000 GPUs at 0.05: 50 bn KRW of hardware
    call.eligibility.min_cloud_operations = 0.5;
    round.call = &call;
    round.terms = call.terms;
  }
};

}  // namespace

TEST_CASE("eligible suppliers are the procurement leads that meet the minimum") {
  const ProcurementCall p;
  CHECK(eligible_supplier(p.round, supplier("a", "cloud_provider", 0.9)));
  CHECK(eligible_supplier(p.round, supplier("b", "telco", 0.5)));
  CHECK_FALSE(eligible_supplier(p.round, supplier("c", "telco", 0.4)));
  CHECK_FALSE(eligible_supplier(p.round, supplier("d", "university", 0.9)));
  // A call that requires a grid connection: the MW the supplier can draw now at its sites.
  ProcurementCall powered;
  powered.call.eligibility.min_grid_mw = 20;
  CHECK(eligible_supplier(powered.round, supplier("a", "cloud_provider", 0.9)));  // no grid
  CHECK(eligible_supplier(powered.round, supplier("a", "cloud_provider", 0.9), 20));
  CHECK_FALSE(eligible_supplier(powered.round, supplier("a", "cloud_provider", 0.9), 19.9));
}

TEST_CASE("the auction of a round does not depend on the order of its suppliers") {
  const ProcurementCall p;
  const AgentSpec a = supplier("a", "cloud_provider", 0.9);
  AgentSpec b = supplier("b", "telco", 0.6);
  b.bid_cost_bn_krw = 1.3;
  AgentSpec c = supplier("c", "cloud_provider", 0.7);
  c.bid_cost_bn_krw = 0.1;
  const ProjectAssumptions assumptions;
  const ProcurementAuction forward = procurement_auction(p.round, {&a, &b, &c}, assumptions);
  const ProcurementAuction shuffled = procurement_auction(p.round, {&c, &a, &b}, assumptions);
  CHECK(forward.suppliers == 3);
  CHECK(forward.costs.mean_bn_krw == shuffled.costs.mean_bn_krw);  // bit for bit
  CHECK(forward.bid_cost_bn_krw == shuffled.bid_cost_bn_krw);
  CHECK(forward.reserve_bn_krw == shuffled.reserve_bn_krw);
  CHECK(forward.reserve_bn_krw == Approx(forward.costs.high()));  // no ceiling
  for (const AgentSpec* agent : std::vector<const AgentSpec*>{&a, &b, &c}) {
    Rng first(3, 0, agent->id);
    Rng second(3, 0, agent->id);
    const SupplyOffer one = offer_supply(p.round, *agent, forward, first, assumptions);
    const SupplyOffer two = offer_supply(p.round, *agent, shuffled, second, assumptions);
    CHECK(one.bids == two.bids);
    CHECK(one.price_bn_krw == two.price_bn_krw);
  }
}

TEST_CASE("a supplier bids the equilibrium price of its private cost") {
  ProcurementCall p;
  p.round.terms.ceiling_price_bn_krw = 60.0;
  const AgentSpec a = supplier("a", "cloud_provider", 0.9);
  AgentSpec b = supplier("b", "telco", 0.6);
  b.bid_cost_bn_krw = a.bid_cost_bn_krw;
  const ProjectAssumptions assumptions;
  const ProcurementAuction game = procurement_auction(p.round, {&a, &b}, assumptions);
  CHECK(game.reserve_bn_krw == 60);
  // m_a = 50 x (1 + 0.08 x 0.3) = 51.2 bn KRW
  CHECK(expected_supply_cost(p.call.object, a, assumptions) == Approx(51.2));
  const double threshold = game.entry_threshold();
  int bids = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Rng rng(seed, 0, "a");
    const SupplyOffer offer = offer_supply(p.round, a, game, rng, assumptions);
    CHECK(offer.cost_bn_krw > 51.2 * (1 - 3 * 0.03));
    CHECK(offer.cost_bn_krw < 51.2 * (1 + 3 * 0.03));
    CHECK(offer.suppliers == 2);
    CHECK(offer.entry_threshold_bn_krw == threshold);
    CHECK(offer.expected_profit_bn_krw == game.expected_profit(offer.cost_bn_krw));
    // Its bid cost is the auction's: it enters exactly below the threshold.
    CHECK(offer.bids == (offer.cost_bn_krw < threshold));
    if (!offer.bids) continue;
    ++bids;
    CHECK(offer.price_bn_krw == game.bid(offer.cost_bn_krw));
    CHECK(offer.price_bn_krw > offer.cost_bn_krw);
    CHECK(offer.price_bn_krw <= 60);
  }
  CHECK(bids > 20);  // the cheaper of the two suppliers
}

TEST_CASE("a disclosed budget is the reserve only where it is below the ceiling") {
  ProcurementCall p;
  p.round.terms.ceiling_price_bn_krw = 60.0;
  const AgentSpec a = supplier("a", "cloud_provider", 0.9);
  const AgentSpec b = supplier("b", "telco", 0.6);
  const ProjectAssumptions assumptions;
  const ProcurementAuction ceiling = procurement_auction(p.round, {&a, &b}, assumptions);
  const ProcurementAuction roomy = procurement_auction(p.round, {&a, &b}, assumptions, 80.0);
  CHECK(roomy.reserve_bn_krw == ceiling.reserve_bn_krw);
  CHECK_FALSE(roomy.reserve_is_budget);
  // A budget between the costs and the ceiling: every bid stays below it, and lower than
  // against the ceiling alone.
  const ProcurementAuction tight = procurement_auction(p.round, {&a, &b}, assumptions, 54.0);
  CHECK(tight.reserve_is_budget);
  int bids = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Rng first(seed, 0, "a");
    Rng second(seed, 0, "a");
    const SupplyOffer against_budget = offer_supply(p.round, a, tight, first, assumptions);
    const SupplyOffer against_ceiling = offer_supply(p.round, a, ceiling, second, assumptions);
    if (!against_budget.bids) continue;
    ++bids;
    CHECK(against_budget.price_bn_krw <= 54.0);
    CHECK(against_budget.price_bn_krw < against_ceiling.price_bn_krw);
  }
  CHECK(bids > 10);
}

TEST_CASE("a supplier stays out when the ceiling or its expected profit does not cover it") {
  ProcurementCall p;
  const AgentSpec a = supplier("a", "cloud_provider", 0.9);
  AgentSpec b = supplier("b", "telco", 0.6);
  const ProjectAssumptions assumptions;
  SECTION("a ceiling below cost") {
    p.round.terms.ceiling_price_bn_krw = 40.0;
    const ProcurementAuction game = procurement_auction(p.round, {&a, &b}, assumptions);
    Rng rng(11, 0, "a");
    const SupplyOffer offer = offer_supply(p.round, a, game, rng, assumptions);
    CHECK_FALSE(offer.bids);
    CHECK(offer.reason.rfind("ceiling price 40.0 bn KRW does not cover its cost", 0) == 0);
  }
  SECTION("a disclosed budget below the ceiling and below cost") {
    p.round.terms.ceiling_price_bn_krw = 60.0;
    const ProcurementAuction game = procurement_auction(p.round, {&a, &b}, assumptions, 45.0);
    CHECK(game.reserve_bn_krw == 45);
    CHECK(game.reserve_is_budget);
    Rng rng(11, 0, "a");
    const SupplyOffer offer = offer_supply(p.round, a, game, rng, assumptions);
    CHECK_FALSE(offer.bids);
    CHECK(offer.reason.rfind(
              "what is left of the issuer's budget 45.0 bn KRW does not cover its cost", 0) == 0);
  }
  SECTION("a bid cost the expected profit cannot cover") {
    // Its bid cost is below what the ceiling leaves but above what it expects to earn against
    // one rival (m_b = 52.4 bn KRW; the auction assumes the suppliers' mean bid cost, 2.75).
    p.round.terms.ceiling_price_bn_krw = 60.0;
    b.bid_cost_bn_krw = 5;
    const ProcurementAuction game = procurement_auction(p.round, {&a, &b}, assumptions);
    Rng rng(11, 0, "b");
    const SupplyOffer offer = offer_supply(p.round, b, game, rng, assumptions);
    CHECK(offer.cost_bn_krw + 5 < 60);
    CHECK_FALSE(offer.bids);
    CHECK(offer.expected_profit_bn_krw < 5);
    CHECK(offer.reason.find("against 1 rival below its bid cost 5.0 bn KRW") != std::string::npos);
  }
  SECTION("an ineligible supplier") {
    const AgentSpec c = supplier("c", "telco", 0.2);
    const ProcurementAuction game = procurement_auction(p.round, {&a, &b}, assumptions);
    Rng rng(11, 0, "c");
    const SupplyOffer offer = offer_supply(p.round, c, game, rng, assumptions);
    CHECK_FALSE(offer.bids);
    CHECK(offer.reason == "not eligible: operating experience below the minimum");
  }
  SECTION("a supplier that cannot connect the MW the call requires") {
    p.call.eligibility.min_grid_mw = 30;
    const ProcurementAuction game = procurement_auction(p.round, {&a, &b}, assumptions);
    Rng rng(11, 0, "a");
    const SupplyOffer short_of_power = offer_supply(p.round, a, game, rng, assumptions, 29.5);
    CHECK_FALSE(short_of_power.bids);
    CHECK(short_of_power.reason ==
          "not eligible: it can connect 29.5 MW at its sites, 30.0 MW "
          "required");
    // Exactly the minimum qualifies; the draw is the same either way.
    Rng again(11, 0, "a");
    const SupplyOffer enough = offer_supply(p.round, a, game, again, assumptions, 30);
    CHECK(enough.reason.rfind("not eligible", 0) == std::string::npos);
    CHECK(enough.cost_bn_krw == short_of_power.cost_bn_krw);
  }
}
