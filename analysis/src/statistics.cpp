#include "tenderlab/analysis/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace tenderlab::analysis {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

void check_probability(double p, const char* what) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw std::invalid_argument(std::string(what) + ": expected a probability in [0, 1], got " +
                                std::to_string(p));
  }
}

void check_level(double level, const char* what) {
  if (!(level > 0.0 && level < 1.0)) {
    throw std::invalid_argument(std::string(what) +
                                ": expected a confidence level in (0, 1), got " +
                                std::to_string(level));
  }
}

// Boost.Math's quantiles, with an overflow (a t quantile of one degree of freedom for a tail
// below about 1e-308) returned as infinity instead of thrown.
using QuantilePolicy = boost::math::policies::policy<
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>>;

// The x >= 0 with P(X > x) = tail for a distribution symmetric about 0, and `tail` in (0, 0.5].
// Working with the smaller tail keeps its precision (1 - p is exact for p >= 0.5) and makes
// quantile(p) == -quantile(1 - p) exactly.
template <typename Distribution>
double upper_tail_point(const Distribution& distribution, double tail) {
  return boost::math::quantile(boost::math::complement(distribution, tail));
}

// Type 7 quantile (linear interpolation between order statistics) of sorted values.
double sorted_quantile(const std::vector<double>& sorted, double p) {
  const double position = p * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = position - static_cast<double>(below);
  return sorted[below] + weight * (sorted[above] - sorted[below]);
}

void check_saltelli(const SaltelliDesign& design, std::span<const double> outputs) {
  const auto expected =
      static_cast<std::size_t>(design.base_samples) * static_cast<std::size_t>(design.factors + 2);
  if (design.points.size() != expected || outputs.size() != expected) {
    throw std::invalid_argument("sobol indices: expected " + std::to_string(expected) +
                                " points and outputs (n * (k + 2)), got " +
                                std::to_string(design.points.size()) + " points and " +
                                std::to_string(outputs.size()) + " outputs");
  }
}

// Sobol estimators over the base samples listed in `rows` (indices in [0, n), repeats allowed,
// which is how the bootstrap reuses this).
std::vector<SobolIndex> sobol_on_rows(const SaltelliDesign& design, std::span<const double> outputs,
                                      const std::vector<std::size_t>& rows) {
  const auto n = static_cast<std::size_t>(design.base_samples);
  const auto k = static_cast<std::size_t>(design.factors);
  const double m = static_cast<double>(rows.size());
  const auto f_a = outputs.subspan(0, n);
  const auto f_b = outputs.subspan(n, n);

  double pooled_sum = 0.0;
  for (const auto r : rows)
    pooled_sum += f_a[r] + f_b[r];
  const double pooled_mean = pooled_sum / (2.0 * m);
  double pooled_squares = 0.0;
  for (const auto r : rows) {
    pooled_squares += (f_a[r] - pooled_mean) * (f_a[r] - pooled_mean) +
                      (f_b[r] - pooled_mean) * (f_b[r] - pooled_mean);
  }
  double variance = pooled_squares / (2.0 * m - 1.0);
  // A constant output leaves rounding noise of the order of the mean's last bits; dividing by it
  // would give meaningless large indices instead of "undefined".
  if (variance <= 1e-24 * pooled_mean * pooled_mean) variance = 0.0;

  std::vector<SobolIndex> indices(k);
  for (std::size_t i = 0; i < k; ++i) {
    const auto f_ab = outputs.subspan((2 + i) * n, n);
    double first = 0.0;
    double total = 0.0;
    for (const auto r : rows) {
      // f(B) centred on the pooled mean: the estimator is then unchanged when a constant is
      // added to the output (uncentred, a shift leaks into it through sampling noise).
      first += (f_b[r] - pooled_mean) * (f_ab[r] - f_a[r]);
      total += (f_a[r] - f_ab[r]) * (f_a[r] - f_ab[r]);
    }
    if (variance > 0.0) {
      indices[i].first = first / m / variance;
      indices[i].total = total / (2.0 * m) / variance;
    } else {
      indices[i].first = nan;
      indices[i].total = nan;
    }
  }
  return indices;
}

// Elementary effects of a Morris design: effects[t][j] is factor j's effect in trajectory t.
std::vector<std::vector<double>> morris_effects(const MorrisDesign& design,
                                                std::span<const double> outputs) {
  const auto k = static_cast<std::size_t>(design.factors);
  const auto r = static_cast<std::size_t>(design.trajectories);
  if (design.points.size() != (k + 1) * r || outputs.size() != design.points.size() ||
      design.order.size() != r || design.sign.size() != r) {
    throw std::invalid_argument("morris indices: expected " + std::to_string((k + 1) * r) +
                                " points and outputs, got " + std::to_string(design.points.size()) +
                                " points and " + std::to_string(outputs.size()) + " outputs");
  }
  std::vector<std::vector<double>> effects(r, std::vector<double>(k, nan));
  for (std::size_t t = 0; t < r; ++t) {
    const std::size_t first_row = t * (k + 1);
    for (std::size_t s = 0; s < k; ++s) {
      const auto factor = static_cast<std::size_t>(design.order[t][s]);
      const double step = design.sign[t][s] * design.delta;
      const double change = outputs[first_row + s + 1] - outputs[first_row + s];
      effects[t].at(factor) = change / step;
    }
  }
  return effects;
}

// Morris statistics over the trajectories listed in `trajectories` (repeats allowed, which is how
// the bootstrap reuses this): a trajectory carries one effect per factor, so resampling whole
// trajectories keeps the design's balance.
std::vector<MorrisIndex> morris_on_trajectories(const std::vector<std::vector<double>>& effects,
                                                const std::vector<std::size_t>& trajectories) {
  const std::size_t k = effects.empty() ? 0 : effects.front().size();
  const double count = static_cast<double>(trajectories.size());
  std::vector<MorrisIndex> indices(k);
  for (std::size_t j = 0; j < k; ++j) {
    double sum = 0.0;
    double absolute = 0.0;
    for (const auto t : trajectories) {
      sum += effects[t][j];
      absolute += std::fabs(effects[t][j]);
    }
    indices[j].mu = sum / count;
    indices[j].mu_star = absolute / count;
    if (trajectories.size() < 2) {
      indices[j].sigma = nan;
    } else {
      double squares = 0.0;
      for (const auto t : trajectories)
        squares += (effects[t][j] - indices[j].mu) * (effects[t][j] - indices[j].mu);
      indices[j].sigma = std::sqrt(squares / (count - 1.0));
    }
  }
  return indices;
}

}  // namespace

double normal_quantile(double p) {
  check_probability(p, "normal quantile");
  if (p == 0.0) return -infinity;
  if (p == 1.0) return infinity;
  if (p == 0.5) return 0.0;
  const double z = upper_tail_point(boost::math::normal_distribution<double, QuantilePolicy>(),
                                    std::min(p, 1.0 - p));
  return p < 0.5 ? -z : z;
}

double student_t_quantile(double p, int df) {
  check_probability(p, "student t quantile");
  if (df < 1) {
    throw std::invalid_argument("student t quantile: expected df >= 1, got " + std::to_string(df));
  }
  if (p == 0.0) return -infinity;
  if (p == 1.0) return infinity;
  if (p == 0.5) return 0.0;
  const double t = upper_tail_point(
      boost::math::students_t_distribution<double, QuantilePolicy>(df), std::min(p, 1.0 - p));
  return p < 0.5 ? -t : t;
}

Summary summarize(std::span<const double> values, double level) {
  check_level(level, "summary");
  Summary summary;
  summary.n = values.size();
  if (values.empty()) {
    summary.mean = summary.sd = summary.half_width = summary.low = summary.high = nan;
    return summary;
  }
  const double n = static_cast<double>(values.size());
  summary.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  if (values.size() < 2) {
    summary.sd = summary.half_width = summary.low = summary.high = nan;
    return summary;
  }
  // Two passes: the one-pass sum-of-squares formula loses digits when the mean is large against
  // the spread, as with costs in won.
  double squares = 0.0;
  for (const double v : values)
    squares += (v - summary.mean) * (v - summary.mean);
  summary.sd = std::sqrt(squares / (n - 1.0));
  const double t = student_t_quantile(0.5 + level / 2.0, static_cast<int>(values.size() - 1));
  summary.half_width = t * summary.sd / std::sqrt(n);
  summary.low = summary.mean - summary.half_width;
  summary.high = summary.mean + summary.half_width;
  return summary;
}

Summary paired_difference(std::span<const double> a, std::span<const double> b, double level) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("paired difference: expected samples of equal size, got " +
                                std::to_string(a.size()) + " and " + std::to_string(b.size()));
  }
  std::vector<double> differences(a.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    differences[i] = b[i] - a[i];
  return summarize(differences, level);
}

Proportion proportion(std::size_t successes, std::size_t n, double level) {
  check_level(level, "proportion");
  if (successes > n) {
    throw std::invalid_argument("proportion: " + std::to_string(successes) +
                                " successes out of only " + std::to_string(n) + " trials");
  }
  Proportion result{n, successes, nan, 0.0, 1.0};
  if (n == 0) return result;
  const double trials = static_cast<double>(n);
  const double p = static_cast<double>(successes) / trials;
  const double z = normal_quantile(0.5 + level / 2.0);
  const double z2 = z * z;
  const double denominator = 1.0 + z2 / trials;
  const double centre = (p + z2 / (2.0 * trials)) / denominator;
  const double half =
      z * std::sqrt(p * (1.0 - p) / trials + z2 / (4.0 * trials * trials)) / denominator;
  result.p = p;
  // Exact at the boundaries, where rounding would otherwise give e.g. -1e-17.
  result.low = successes == 0 ? 0.0 : std::max(0.0, centre - half);
  result.high = successes == n ? 1.0 : std::min(1.0, centre + half);
  return result;
}

std::vector<MorrisIndex> morris_indices(const MorrisDesign& design,
                                        std::span<const double> outputs) {
  const auto effects = morris_effects(design, outputs);
  std::vector<std::size_t> trajectories(static_cast<std::size_t>(design.trajectories));
  std::iota(trajectories.begin(), trajectories.end(), std::size_t{0});
  return morris_on_trajectories(effects, trajectories);
}

std::vector<MorrisInterval> morris_bootstrap(const MorrisDesign& design,
                                             std::span<const double> outputs, int resamples,
                                             Rng& rng, double level) {
  const auto effects = morris_effects(design, outputs);
  check_level(level, "morris bootstrap");
  if (resamples < 2) {
    throw std::invalid_argument("morris bootstrap: expected at least 2 resamples, got " +
                                std::to_string(resamples));
  }
  const auto r = static_cast<std::size_t>(design.trajectories);
  const auto k = static_cast<std::size_t>(design.factors);
  std::vector<std::size_t> trajectories(r);
  std::iota(trajectories.begin(), trajectories.end(), std::size_t{0});
  const auto estimates = morris_on_trajectories(effects, trajectories);

  std::vector<std::vector<double>> mu(k);
  std::vector<std::vector<double>> mu_star(k);
  for (int b = 0; b < resamples; ++b) {
    for (auto& t : trajectories)
      t = static_cast<std::size_t>(rng.below(r));
    const auto replicate = morris_on_trajectories(effects, trajectories);
    for (std::size_t j = 0; j < k; ++j) {
      mu[j].push_back(replicate[j].mu);
      mu_star[j].push_back(replicate[j].mu_star);
    }
  }
  const double low_p = 0.5 - level / 2.0;
  const double high_p = 0.5 + level / 2.0;
  std::vector<MorrisInterval> intervals(k);
  for (std::size_t j = 0; j < k; ++j) {
    intervals[j].estimate = estimates[j];
    std::sort(mu[j].begin(), mu[j].end());
    std::sort(mu_star[j].begin(), mu_star[j].end());
    intervals[j].mu_low = sorted_quantile(mu[j], low_p);
    intervals[j].mu_high = sorted_quantile(mu[j], high_p);
    intervals[j].mu_star_low = sorted_quantile(mu_star[j], low_p);
    intervals[j].mu_star_high = sorted_quantile(mu_star[j], high_p);
  }
  return intervals;
}

std::vector<SobolIndex> sobol_indices(const SaltelliDesign& design,
                                      std::span<const double> outputs) {
  check_saltelli(design, outputs);
  std::vector<std::size_t> rows(static_cast<std::size_t>(design.base_samples));
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return sobol_on_rows(design, outputs, rows);
}

std::vector<SobolInterval> sobol_bootstrap(const SaltelliDesign& design,
                                           std::span<const double> outputs, int resamples, Rng& rng,
                                           double level) {
  check_saltelli(design, outputs);
  check_level(level, "sobol bootstrap");
  if (resamples < 2) {
    throw std::invalid_argument("sobol bootstrap: expected at least 2 resamples, got " +
                                std::to_string(resamples));
  }
  const auto n = static_cast<std::size_t>(design.base_samples);
  const auto k = static_cast<std::size_t>(design.factors);
  const auto estimates = sobol_indices(design, outputs);

  std::vector<std::vector<double>> first(k);
  std::vector<std::vector<double>> total(k);
  std::vector<std::size_t> rows(n);
  for (int b = 0; b < resamples; ++b) {
    for (auto& row : rows)
      row = static_cast<std::size_t>(rng.below(n));
    const auto replicate = sobol_on_rows(design, outputs, rows);
    for (std::size_t i = 0; i < k; ++i) {
      first[i].push_back(replicate[i].first);
      total[i].push_back(replicate[i].total);
    }
  }

  const double low_p = 0.5 - level / 2.0;
  const double high_p = 0.5 + level / 2.0;
  std::vector<SobolInterval> intervals(k);
  for (std::size_t i = 0; i < k; ++i) {
    intervals[i].estimate = estimates[i];
    if (std::isnan(estimates[i].first)) {
      intervals[i].first_low = intervals[i].first_high = nan;
      intervals[i].total_low = intervals[i].total_high = nan;
      continue;
    }
    // A resample can repeat one constant row, giving NaN; such resamples carry no information
    // about the spread and are left out.
    auto finite_sorted = [](std::vector<double>& v) {
      v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
      std::sort(v.begin(), v.end());
    };
    finite_sorted(first[i]);
    finite_sorted(total[i]);
    if (first[i].empty()) {
      intervals[i].first_low = intervals[i].first_high = nan;
      intervals[i].total_low = intervals[i].total_high = nan;
      continue;
    }
    intervals[i].first_low = sorted_quantile(first[i], low_p);
    intervals[i].first_high = sorted_quantile(first[i], high_p);
    intervals[i].total_low = sorted_quantile(total[i], low_p);
    intervals[i].total_high = sorted_quantile(total[i], high_p);
  }
  return intervals;
}

}  // namespace tenderlab::analysis
