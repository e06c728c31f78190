#include "tenderlab/agents/procurement_bid.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/beta.hpp>

namespace tenderlab {

namespace {

double standard_normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

/// S(cost): P(fewer than `lots` of the n - 1 rivals have a cost at or below `cost`), the chance
/// that a bid of b(cost) wins a lot. With one lot, (1 - F(cost))^(n-1); in general the binomial
/// distribution function, I_(1-F)(n - lots, lots) as a regularised incomplete beta function.
double all_rivals_above(const ProcurementAuction& auction, double cost) {
  const double survival = 1.0 - auction.costs.cdf(cost);
  if (auction.lots >= auction.suppliers) return 1.0;  // a lot for every supplier
  if (auction.lots == 1) return std::pow(survival, static_cast<double>(auction.suppliers - 1));
  if (survival <= 0) return 0.0;
  if (survival >= 1) return 1.0;
  return boost::math::ibeta(static_cast<double>(auction.suppliers - auction.lots),
                            static_cast<double>(auction.lots), survival);
}

/// The integral of (1 - F(t))^(n-1) from `from` to `to` (from <= to): by Gauss-Kronrod over the
/// part inside the cost range, exactly (the integrand is 1) below it.
double integral_all_rivals_above(const ProcurementAuction& auction, double from, double to) {
  if (!(to > from)) return 0;
  const double low = auction.costs.low();
  double below = 0;
  if (from < low) {
    below = std::min(to, low) - from;
    from = low;
  }
  if (!(to > from)) return below;
  const auto integrand = [&](double t) { return all_rivals_above(auction, t); };
  constexpr unsigned max_depth = 15;
  constexpr double tolerance = 1e-12;
  return below + boost::math::quadrature::gauss_kronrod<double, 31>::integrate(
                     integrand, from, to, max_depth, tolerance);
}

/// (R - c) S(c) / lots: what the marginal entrant at c expects; it wins only when fewer rivals
/// than lots enter, at the reserve, and is paid for one lot.
double marginal_entrant_profit(const ProcurementAuction& auction, double cost) {
  return (auction.reserve_bn_krw - cost) * all_rivals_above(auction, cost) /
         static_cast<double>(auction.lots);
}

double per_lot(const ProcurementAuction& auction, double amount) {
  return amount / static_cast<double>(auction.lots);
}

}  // namespace

double SupplyCostDistribution::low() const {
  return mean_bn_krw * (1 - truncation * sd_share);
}

double SupplyCostDistribution::high() const {
  return mean_bn_krw * (1 + truncation * sd_share);
}

double SupplyCostDistribution::cdf(double cost) const {
  if (cost <= low()) return 0;
  if (cost >= high()) return 1;
  const double z = (cost / mean_bn_krw - 1) / sd_share;
  const double below = standard_normal_cdf(-truncation);
  const double mass = standard_normal_cdf(truncation) - below;
  return std::clamp((standard_normal_cdf(z) - below) / mass, 0.0, 1.0);
}

double ProcurementAuction::entry_threshold() const {
  const double upper = std::min(reserve_bn_krw, costs.high());
  const double lower = std::min(costs.low(), upper);
  if (bid_cost_bn_krw <= 0 || marginal_entrant_profit(*this, upper) >= bid_cost_bn_krw)
    return upper;
  if (marginal_entrant_profit(*this, lower) < bid_cost_bn_krw) return lower;
  // The marginal entrant's profit falls with its cost: bisect to the cost where it equals the
  // bid cost. 200 halvings reach the resolution of a double on any range.
  double covered = lower;   // profit >= bid cost here
  double short_of = upper;  // profit < bid cost here
  for (int i = 0; i < 200 && short_of - covered > 1e-12 * std::max(1.0, std::abs(upper)); ++i) {
    const double middle = 0.5 * (covered + short_of);
    (marginal_entrant_profit(*this, middle) >= bid_cost_bn_krw ? covered : short_of) = middle;
  }
  return covered;
}

double ProcurementAuction::expected_profit(double cost) const {
  const double threshold = entry_threshold();
  if (cost >= threshold) {
    // Bidding the reserve, it wins only when fewer rivals than lots enter.
    return per_lot(*this,
                   std::max(0.0, reserve_bn_krw - cost) * all_rivals_above(*this, threshold));
  }
  return per_lot(*this, integral_all_rivals_above(*this, cost, threshold)) +
         marginal_entrant_profit(*this, threshold);
}

double ProcurementAuction::bid(double cost) const {
  const double threshold = entry_threshold();
  if (cost >= threshold) return reserve_bn_krw;
  // Below the cost range every rival is dearer: the bid of the cheapest possible rival.
  const double at = std::max(cost, std::min(costs.low(), threshold));
  const double winning = all_rivals_above(*this, at);
  if (!(winning > 0)) return reserve_bn_krw;
  const double margin = (integral_all_rivals_above(*this, at, threshold) +
                         static_cast<double>(lots) * marginal_entrant_profit(*this, threshold)) /
                        winning;
  return std::min(reserve_bn_krw, at + margin);
}

}  // namespace tenderlab
