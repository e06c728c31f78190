#include "tenderlab/analysis/designs.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace tenderlab::analysis {

namespace {

void check_shapes(const std::vector<FactorShape>& factors, const char* design) {
  for (std::size_t j = 0; j < factors.size(); ++j) {
    if (factors[j].levels < 1) {
      throw std::invalid_argument(std::string(design) + ": factor " + std::to_string(j) +
                                  " needs at least one level, got " +
                                  std::to_string(factors[j].levels));
    }
  }
}

// Unit coordinate of level i of a factor, as documented for grid_design.
double level_coordinate(const FactorShape& factor, int i) {
  const int levels = factor.levels;
  if (factor.discrete) return (i + 0.5) / levels;
  if (levels == 1) return 0.5;
  return static_cast<double>(i) / (levels - 1);
}

// Fisher-Yates with the project's generator: std::shuffle's output differs between standard
// libraries, which would make designs depend on the platform.
std::vector<int> random_permutation(int n, Rng& rng) {
  std::vector<int> perm(static_cast<std::size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  for (int i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(i) + 1));
    std::swap(perm[static_cast<std::size_t>(i)], perm[j]);
  }
  return perm;
}

}  // namespace

std::optional<std::size_t> grid_size(const std::vector<FactorShape>& factors) {
  check_shapes(factors, "grid design");
  if (factors.empty()) return 0;
  std::size_t total = 1;
  for (const auto& factor : factors) {
    const auto levels = static_cast<std::size_t>(factor.levels);
    if (total > std::numeric_limits<std::size_t>::max() / levels) return std::nullopt;
    total *= levels;
  }
  return total;
}

std::vector<double> grid_point(const std::vector<FactorShape>& factors, std::size_t index) {
  const auto total = grid_size(factors);
  if (!total || index >= *total) {
    throw std::out_of_range("grid design: no point " + std::to_string(index) + " in a grid of " +
                            (total ? std::to_string(*total) : std::string("too many")) + " points");
  }
  // The index in a mixed-radix number system whose last digit (factor) varies fastest.
  std::vector<double> point(factors.size());
  for (std::size_t j = factors.size(); j-- > 0;) {
    const auto levels = static_cast<std::size_t>(factors[j].levels);
    point[j] = level_coordinate(factors[j], static_cast<int>(index % levels));
    index /= levels;
  }
  return point;
}

UnitPoints grid_design(const std::vector<FactorShape>& factors) {
  const auto size = grid_size(factors);
  if (!size) throw std::length_error("grid design: the product of the factors' levels overflows");
  const std::size_t total = *size;
  UnitPoints points;
  if (factors.empty()) return points;
  points.reserve(total);
  // An odometer over level indices; the last factor is the fastest digit.
  std::vector<int> index(factors.size(), 0);
  for (std::size_t p = 0; p < total; ++p) {
    std::vector<double> point(factors.size());
    for (std::size_t j = 0; j < factors.size(); ++j) {
      point[j] = level_coordinate(factors[j], index[j]);
    }
    points.push_back(std::move(point));
    for (std::size_t j = factors.size(); j-- > 0;) {
      if (++index[j] < factors[j].levels) break;
      index[j] = 0;
    }
  }
  return points;
}

std::vector<double> latin_hypercube_flat(int n, int k, Rng& rng) {
  if (n < 1 || k < 1) {
    throw std::invalid_argument("latin hypercube: needs n >= 1 and k >= 1, got n = " +
                                std::to_string(n) + ", k = " + std::to_string(k));
  }
  const auto factors = static_cast<std::size_t>(k);
  std::vector<double> points(static_cast<std::size_t>(n) * factors);
  for (int j = 0; j < k; ++j) {
    const auto strata = random_permutation(n, rng);
    for (int i = 0; i < n; ++i) {
      const auto row = static_cast<std::size_t>(i);
      // The division can round up to exactly 1 in the top stratum; keep points inside [0, 1).
      points[row * factors + static_cast<std::size_t>(j)] =
          std::min((strata[row] + rng.uniform()) / n, std::nextafter(1.0, 0.0));
    }
  }
  return points;
}

UnitPoints latin_hypercube(int n, int k, Rng& rng) {
  const std::vector<double> flat = latin_hypercube_flat(n, k, rng);
  const auto factors = static_cast<std::size_t>(k);
  UnitPoints points(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto first = flat.begin() + static_cast<std::ptrdiff_t>(i * factors);
    points[i].assign(first, first + static_cast<std::ptrdiff_t>(factors));
  }
  return points;
}

UnitPoints one_at_a_time(const std::vector<FactorShape>& factors) {
  check_shapes(factors, "one-at-a-time design");
  // Centre level index of each factor; for a numeric factor the centre u = 0.5 is a grid level
  // only when the number of levels is odd, and then its index is (L - 1) / 2 as well.
  std::vector<double> centre(factors.size());
  for (std::size_t j = 0; j < factors.size(); ++j) {
    centre[j] =
        factors[j].discrete ? level_coordinate(factors[j], (factors[j].levels - 1) / 2) : 0.5;
  }
  UnitPoints points{centre};
  for (std::size_t j = 0; j < factors.size(); ++j) {
    const int levels = factors[j].levels;
    for (int i = 0; i < levels; ++i) {
      // Integer test for the centre level, so no floating-point comparison decides it.
      const bool is_centre =
          factors[j].discrete ? i == (levels - 1) / 2 : (levels == 1 || 2 * i == levels - 1);
      if (is_centre) continue;
      auto point = centre;
      point[j] = level_coordinate(factors[j], i);
      points.push_back(std::move(point));
    }
  }
  return points;
}

std::optional<std::size_t> one_at_a_time_size(const std::vector<FactorShape>& factors) {
  check_shapes(factors, "one-at-a-time design");
  std::size_t total = 1;  // the centre point
  for (const auto& factor : factors) {
    // Every level but the one equal to the centre, which exists for a discrete factor and for a
    // numeric factor with an odd number of levels (see one_at_a_time).
    const bool centre_is_level = factor.discrete || factor.levels % 2 == 1;
    const auto moves = static_cast<std::size_t>(factor.levels) - (centre_is_level ? 1U : 0U);
    if (total > std::numeric_limits<std::size_t>::max() - moves) return std::nullopt;
    total += moves;
  }
  return total;
}

MorrisDesign morris_design(int k, int trajectories, int levels, Rng& rng) {
  if (k < 1 || trajectories < 1 || levels < 2) {
    throw std::invalid_argument(
        "morris design: needs k >= 1, trajectories >= 1 and levels >= 2, got k = " +
        std::to_string(k) + ", trajectories = " + std::to_string(trajectories) +
        ", levels = " + std::to_string(levels));
  }
  MorrisDesign design;
  design.factors = k;
  design.trajectories = trajectories;
  design.levels = levels;
  design.delta = static_cast<double>(levels) / (2.0 * (levels - 1));
  // Base level i is allowed when i/(levels-1) + delta <= 1, i.e. 2i <= levels - 2.
  const int base_choices = (levels - 2) / 2 + 1;
  const auto factor_count = static_cast<std::size_t>(k);
  design.points.reserve(static_cast<std::size_t>(trajectories) * (factor_count + 1));
  for (int t = 0; t < trajectories; ++t) {
    auto order = random_permutation(k, rng);
    std::vector<int> sign(factor_count);
    std::vector<double> start(factor_count);
    std::vector<double> finish(factor_count);
    for (std::size_t j = 0; j < factor_count; ++j) {
      const auto base = static_cast<int>(rng.below(static_cast<std::uint64_t>(base_choices)));
      const double low = static_cast<double>(base) / (levels - 1);
      // Written as one division so that, with an even number of levels, the value is bit-identical
      // to the grid level it lands on.
      const double high = static_cast<double>(2 * base + levels) / (2.0 * (levels - 1));
      const bool up = rng.below(2) == 0;
      start[j] = up ? low : high;
      finish[j] = up ? high : low;
      sign[j] = up ? 1 : -1;
    }
    std::vector<int> step_sign(factor_count);
    auto point = start;
    design.points.push_back(point);
    for (std::size_t s = 0; s < factor_count; ++s) {
      const auto j = static_cast<std::size_t>(order[s]);
      point[j] = finish[j];
      step_sign[s] = sign[j];
      design.points.push_back(point);
    }
    design.order.push_back(std::move(order));
    design.sign.push_back(std::move(step_sign));
  }
  return design;
}

SaltelliDesign saltelli_design(int n, int k, Rng& rng) {
  if (n < 2 || k < 1) {
    throw std::invalid_argument("saltelli design: needs n >= 2 and k >= 1, got n = " +
                                std::to_string(n) + ", k = " + std::to_string(k));
  }
  SaltelliDesign design;
  design.base_samples = n;
  design.factors = k;
  const UnitPoints a = latin_hypercube(n, k, rng);
  const UnitPoints b = latin_hypercube(n, k, rng);
  const auto rows = static_cast<std::size_t>(n);
  design.points.reserve(rows * static_cast<std::size_t>(k + 2));
  design.points.insert(design.points.end(), a.begin(), a.end());
  design.points.insert(design.points.end(), b.begin(), b.end());
  for (std::size_t i = 0; i < static_cast<std::size_t>(k); ++i) {
    for (std::size_t r = 0; r < rows; ++r) {
      auto point = a[r];
      point[i] = b[r][i];
      design.points.push_back(std::move(point));
    }
  }
  return design;
}

}  // namespace tenderlab::analysis
