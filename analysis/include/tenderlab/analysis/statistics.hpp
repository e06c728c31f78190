#pragma once
// Statistics over replications and sensitivity indices over designs.
//
// Pure functions of their inputs: no I/O, no global state. Quantiles are computed here rather than
// taken from a library so that results are identical on every platform.
#include <cstddef>
#include <span>
#include <vector>

#include "tenderlab/analysis/designs.hpp"
#include "tenderlab/engine/rng.hpp"

namespace tenderlab::analysis {

/// Quantile of the standard normal distribution: x with P(Z <= x) = p (Boost.Math). Returns -inf
/// for p == 0 and +inf for p == 1; throws std::invalid_argument for p outside [0, 1].
double normal_quantile(double p);

/// Quantile of Student's t distribution with df degrees of freedom (Boost.Math, to a few ulps).
/// Returns -inf for p == 0 and +inf for p == 1; throws std::invalid_argument for p outside [0, 1]
/// or df < 1.
double student_t_quantile(double p, int df);

/// Mean of replicated outputs with a t-based confidence interval.
///
/// `sd` uses the n - 1 denominator. With n == 0 every field but n is NaN; with n == 1, sd,
/// half_width, low and high are NaN: one replication says nothing about spread, and NaN (rather
/// than 0) keeps a report from showing a falsely exact interval.
struct Summary {
  std::size_t n = 0;
  double mean = 0.0;
  double sd = 0.0;
  double half_width = 0.0;
  double low = 0.0;
  double high = 0.0;
};

/// Summary of `values` at confidence `level` (in (0, 1), else std::invalid_argument).
Summary summarize(std::span<const double> values, double level = 0.95);

/// Summary of the per-pair differences b[i] - a[i], e.g. a policy's outcome minus the baseline's
/// under common random numbers. Throws std::invalid_argument if the sizes differ.
Summary paired_difference(std::span<const double> a, std::span<const double> b,
                          double level = 0.95);

/// A proportion with its Wilson score interval, which keeps sensible coverage near 0 and 1 and
/// for small n, where the normal-approximation interval fails.
struct Proportion {
  std::size_t n = 0;
  std::size_t successes = 0;
  double p = 0.0;
  double low = 0.0;
  double high = 0.0;
};

/// Wilson interval at confidence `level`. With n == 0, p is NaN and the interval is [0, 1].
/// Throws std::invalid_argument if successes > n or level is outside (0, 1).
Proportion proportion(std::size_t successes, std::size_t n, double level = 0.95);

/// Morris elementary-effects statistics of one factor: the mean effect, the mean absolute effect
/// (Campolongo et al. 2007; ranks importance even when effects change sign) and the standard
/// deviation of the effects (n - 1 denominator; NaN with a single trajectory), which signals
/// interactions or non-linearity.
struct MorrisIndex {
  double mu = 0.0;
  double mu_star = 0.0;
  double sigma = 0.0;
};

/// Morris indices per factor; outputs[i] is the model output at design.points[i]. Throws
/// std::invalid_argument if the sizes differ.
std::vector<MorrisIndex> morris_indices(const MorrisDesign& design,
                                        std::span<const double> outputs);

/// Morris indices with percentile bootstrap confidence intervals for mu and mu*.
struct MorrisInterval {
  MorrisIndex estimate;
  double mu_low = 0.0;
  double mu_high = 0.0;
  double mu_star_low = 0.0;
  double mu_star_high = 0.0;
};

/// Morris indices with intervals from `resamples` bootstrap resamples of the trajectories (a
/// resampled trajectory keeps its elementary effects together, one per factor). The model is not
/// rerun; the same `rng` state gives the same intervals. With a single trajectory every resample
/// is that trajectory and the intervals collapse onto the estimates. Throws std::invalid_argument
/// if the sizes differ, resamples < 2 or level is outside (0, 1).
std::vector<MorrisInterval> morris_bootstrap(const MorrisDesign& design,
                                             std::span<const double> outputs, int resamples,
                                             Rng& rng, double level = 0.95);

/// First-order and total Sobol indices of one factor.
struct SobolIndex {
  double first = 0.0;
  double total = 0.0;
};

/// Sobol indices per factor; outputs[i] is the model output at design.points[i]. First order by
/// the Saltelli (2010) estimator mean(f(B) * (f(AB_i) - f(A))) / V, total by the Jansen (1999)
/// estimator mean((f(A) - f(AB_i))^2) / (2V), where V is the variance (n - 1 denominator) of the
/// A and B outputs pooled. Estimates may stray slightly outside [0, 1] with few samples. If the
/// output is constant (V == 0) the indices are NaN. Throws std::invalid_argument if the sizes
/// differ.
std::vector<SobolIndex> sobol_indices(const SaltelliDesign& design,
                                      std::span<const double> outputs);

/// Sobol indices with percentile bootstrap confidence intervals.
struct SobolInterval {
  SobolIndex estimate;
  double first_low = 0.0;
  double first_high = 0.0;
  double total_low = 0.0;
  double total_high = 0.0;
};

/// Sobol indices with intervals from `resamples` bootstrap resamples of the base samples (a
/// resampled base sample keeps its A, B and AB_i rows together). The model is not rerun. Throws
/// std::invalid_argument if the sizes differ, resamples < 2 or level is outside (0, 1).
std::vector<SobolInterval> sobol_bootstrap(const SaltelliDesign& design,
                                           std::span<const double> outputs, int resamples, Rng& rng,
                                           double level = 0.95);

}  // namespace tenderlab::analysis
