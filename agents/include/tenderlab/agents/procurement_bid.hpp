#pragma once
// Procurement bids, pure: a first-price (pay-as-bid) sealed-bid auction with private costs and
// bid costs (docs/model/procurement.md). Every supplier knows its own cost and believes its
// rivals' costs are independent draws from one distribution; the L lowest prices win a lot each.
// Bidding and entry follow the symmetric equilibrium of that auction with a reserve price and
// entry costs (Samuelson 1985; Krishna, "Auction Theory", ch. 2 and 13):
//
//   a supplier with cost c enters iff its expected profit pi(c) covers its bid cost, and bids
//   b(c) = c + [ integral_c^c* S(t) dt + (R - c*) S(c*) ] / S(c)
//
// where S(t) is the chance that fewer than L of the n - 1 rivals cost t or less ((1 - F(t))^(n-1)
// for one lot), F the rivals' cost distribution, R the reserve (the ceiling price) and c* the
// entry threshold: (R - c*) S(c*) / L = bid cost. The marginal entrant bids R; without bid costs
// and with R at the top of the cost range, the buyer's expected payment equals L times the
// expected (L + 1)-th lowest cost (revenue equivalence).
#include <cstddef>

namespace tenderlab {

/// The cost of the lot a supplier believes its rivals draw: mean x (1 + sd_share x Z), with Z a
/// standard normal truncated to [-truncation, truncation].
struct SupplyCostDistribution {
  double mean_bn_krw = 0;
  double sd_share = 0;    ///< standard deviation as a share of the mean (> 0)
  double truncation = 3;  ///< in standard deviations (> 0)

  double low() const;   ///< the lowest cost a rival can have
  double high() const;  ///< the highest
  /// P(a rival's cost <= cost): 0 below low(), 1 from high() on.
  double cdf(double cost) const;
};

/// The auction every supplier of a round plays.
struct ProcurementAuction {
  SupplyCostDistribution costs;
  std::size_t suppliers = 1;       ///< eligible suppliers, the bidder included (n)
  std::size_t lots = 1;            ///< winners: each is paid its bid for the whole quantity / lots
  double reserve_bn_krw = 0;       ///< R: the highest price the buyer pays
  double bid_cost_bn_krw = 0;      ///< the bid cost the equilibrium assumes for every supplier
  bool reserve_is_budget = false;  ///< R is what is left of the buyer's disclosed budget

  /// c*: suppliers with a cost above it stay out. Between low() and min(R, high()); at low()
  /// when even the cheapest supplier could not cover its bid cost.
  double entry_threshold() const;
  /// pi(c): expected profit, before the bid cost, of a supplier with cost `cost` that enters and
  /// bids b(cost) while its rivals follow the equilibrium; from the threshold on, what bidding the
  /// reserve would earn. Prices and costs are for the whole quantity; a winner gets one lot.
  double expected_profit(double cost) const;
  /// b(c) for a supplier below the threshold: its cost plus the margin competition leaves it;
  /// R at the threshold. Constant below low() (a cost nobody else can have gains nothing more).
  double bid(double cost) const;
};

}  // namespace tenderlab
