#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#include <catch2/catch.hpp>

#include "tenderlab/analysis/designs.hpp"
#include "tenderlab/analysis/statistics.hpp"

using tenderlab::Rng;
using namespace tenderlab::analysis;

namespace {

// Ishigami function on [-pi, pi]^3, the usual benchmark for Sobol estimators.
std::vector<double> ishigami(const UnitPoints& points) {
  constexpr double a = 7.0;
  constexpr double b = 0.1;
  std::vector<double> outputs;
  outputs.reserve(points.size());
  for (const auto& u : points) {
    const double x1 = unit_to_value(u[0], -std::numbers::pi, std::numbers::pi);
    const double x2 = unit_to_value(u[1], -std::numbers::pi, std::numbers::pi);
    const double x3 = unit_to_value(u[2], -std::numbers::pi, std::numbers::pi);
    const double s2 = std::sin(x2);
    outputs.push_back(std::sin(x1) + a * s2 * s2 + b * std::pow(x3, 4) * std::sin(x1));
  }
  return outputs;
}

}  // namespace

TEST_CASE("t quantiles match tables") {
  CHECK(student_t_quantile(0.975, 1) == Approx(12.7062).epsilon(1e-5));
  CHECK(student_t_quantile(0.975, 4) == Approx(2.776445105).epsilon(1e-9));
  CHECK(student_t_quantile(0.975, 10) == Approx(2.228138852).epsilon(1e-9));
  CHECK(student_t_quantile(0.975, 30) == Approx(2.042272456).epsilon(1e-9));
  CHECK(student_t_quantile(0.995, 5) == Approx(4.0321).epsilon(1e-4));
  CHECK(student_t_quantile(0.95, 20) == Approx(1.7247).epsilon(1e-4));
}

TEST_CASE("t quantiles stay accurate for many degrees of freedom and far tails") {
  // Reference from a 40-digit evaluation of the incomplete beta function (mpmath).
  CHECK(student_t_quantile(0.975, 1000000) == Approx(1.9599663568141066553).epsilon(1e-14));
  // df = 1 is the Cauchy distribution: the quantile of p is -1 / tan(pi p), about -1 / (pi p).
  CHECK(student_t_quantile(1e-300, 1) == Approx(-1.0 / (std::numbers::pi * 1e-300)).epsilon(1e-12));
  CHECK(std::isinf(student_t_quantile(5e-324, 1)));
}

TEST_CASE("t quantiles match the closed forms for one and two degrees of freedom") {
  for (const double p : {0.6, 0.75, 0.9, 0.99, 0.9999}) {
    // df = 1 is the Cauchy distribution; df = 2 has an algebraic quantile.
    CHECK(student_t_quantile(p, 1) ==
          Approx(std::tan(std::numbers::pi * (p - 0.5))).epsilon(1e-10));
    CHECK(student_t_quantile(p, 2) ==
          Approx((2.0 * p - 1.0) / std::sqrt(2.0 * p * (1.0 - p))).epsilon(1e-10));
  }
}

TEST_CASE("t quantiles are symmetric and approach the normal for many degrees of freedom") {
  CHECK(student_t_quantile(0.5, 7) == 0.0);
  CHECK(student_t_quantile(0.025, 10) == Approx(-student_t_quantile(0.975, 10)).epsilon(1e-12));
  CHECK(student_t_quantile(0.975, 1000000) == Approx(normal_quantile(0.975)).epsilon(1e-5));
  CHECK(student_t_quantile(0.975, 1000000) > normal_quantile(0.975));
  CHECK(std::isinf(student_t_quantile(1.0, 3)));
  CHECK_THROWS_AS(student_t_quantile(1.5, 3), std::invalid_argument);
  CHECK_THROWS_AS(student_t_quantile(0.9, 0), std::invalid_argument);
}

TEST_CASE("normal quantiles match tables") {
  CHECK(normal_quantile(0.975) == Approx(1.9599639845400536).epsilon(1e-12));
  CHECK(normal_quantile(0.8) == Approx(0.8416212335729144).epsilon(1e-12));
  CHECK(normal_quantile(1e-10) == Approx(-6.361340902404056).epsilon(1e-10));
  CHECK(normal_quantile(0.5) == 0.0);
  CHECK(std::isinf(normal_quantile(0.0)));
  CHECK_THROWS_AS(normal_quantile(-0.1), std::invalid_argument);
}

TEST_CASE("a summary has the mean, the n-1 standard deviation and a t interval") {
  const std::vector<double> values{2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0};
  const auto s = summarize(values);
  CHECK(s.n == 8);
  CHECK(s.mean == Approx(5.0));
  CHECK(s.sd == Approx(std::sqrt(32.0 / 7.0)));
  const double half = student_t_quantile(0.975, 7) * std::sqrt(32.0 / 7.0) / std::sqrt(8.0);
  CHECK(s.half_width == Approx(half));
  CHECK(s.low == Approx(5.0 - half));
  CHECK(s.high == Approx(5.0 + half));
  // A wider level gives a wider interval.
  CHECK(summarize(values, 0.99).half_width > s.half_width);
}

TEST_CASE("a summary of fewer than two values has no interval") {
  const std::vector<double> one{3.5};
  const auto s = summarize(one);
  CHECK(s.n == 1);
  CHECK(s.mean == 3.5);
  CHECK(std::isnan(s.sd));
  CHECK(std::isnan(s.half_width));
  CHECK(std::isnan(s.low));
  CHECK(std::isnan(summarize(std::vector<double>{}).mean));
  CHECK_THROWS_AS(summarize(one, 1.0), std::invalid_argument);
}

TEST_CASE("a paired difference gives the t interval of b minus a") {
  const std::vector<double> a{10.1, 9.8, 11.2, 10.5, 10.0};
  const std::vector<double> b{10.9, 10.1, 11.8, 10.9, 10.7};
  const auto d = paired_difference(a, b);
  CHECK(d.n == 5);
  CHECK(d.mean == Approx(0.56));
  CHECK(d.sd == Approx(0.20736441353327764));
  CHECK(d.half_width == Approx(0.25747692677456563).epsilon(1e-8));
  CHECK(d.low == Approx(0.56 - 0.25747692677456563).epsilon(1e-8));
  CHECK(d.high == Approx(0.56 + 0.25747692677456563).epsilon(1e-8));
}

TEST_CASE("a paired difference needs samples of equal size") {
  const std::vector<double> a{1.0, 2.0};
  const std::vector<double> b{1.0};
  CHECK_THROWS_AS(paired_difference(a, b), std::invalid_argument);
}

TEST_CASE("the wilson interval matches known values") {
  const auto p = proportion(8, 10);
  CHECK(p.n == 10);
  CHECK(p.successes == 8);
  CHECK(p.p == Approx(0.8));
  CHECK(p.low == Approx(0.49016247153664183).epsilon(1e-9));
  CHECK(p.high == Approx(0.9433178485456247).epsilon(1e-9));
  // No successes: the interval still has width, unlike the normal approximation.
  const auto none = proportion(0, 20);
  CHECK(none.low == 0.0);
  CHECK(none.high == Approx(0.1611251580528193).epsilon(1e-9));
  CHECK(proportion(20, 20).high == 1.0);
}

TEST_CASE("a proportion without trials spans [0, 1] and rejects impossible counts") {
  const auto empty = proportion(0, 0);
  CHECK(std::isnan(empty.p));
  CHECK(empty.low == 0.0);
  CHECK(empty.high == 1.0);
  CHECK_THROWS_AS(proportion(3, 2), std::invalid_argument);
}

TEST_CASE("morris on a linear function gives mu* equal to the absolute coefficients") {
  Rng rng(5, 0, "morris");
  const std::vector<double> coefficients{3.0, -2.0, 0.0, 0.5};
  const auto design = morris_design(4, 8, 4, rng);
  std::vector<double> outputs;
  for (const auto& u : design.points) {
    double y = 1.0;
    for (std::size_t j = 0; j < coefficients.size(); ++j)
      y += coefficients[j] * u[j];
    outputs.push_back(y);
  }
  const auto indices = morris_indices(design, outputs);
  REQUIRE(indices.size() == 4);
  for (std::size_t j = 0; j < coefficients.size(); ++j) {
    CHECK(indices[j].mu == Approx(coefficients[j]).margin(1e-9));
    CHECK(indices[j].mu_star == Approx(std::fabs(coefficients[j])).margin(1e-9));
    CHECK(indices[j].sigma == Approx(0.0).margin(1e-9));
  }
}

TEST_CASE("morris sigma flags an interaction and mu* ranks effects that change sign") {
  Rng rng(5, 0, "morris");
  const auto design = morris_design(3, 20, 4, rng);
  std::vector<double> outputs;
  // x0's effect changes sign with x1: mu is near zero but mu* is not.
  for (const auto& u : design.points)
    outputs.push_back((u[0] - 0.5) * (u[1] - 0.5));
  const auto indices = morris_indices(design, outputs);
  CHECK(indices[0].mu_star > 0.1);
  CHECK(std::fabs(indices[0].mu) < indices[0].mu_star);
  CHECK(indices[0].sigma > 0.1);
  CHECK(indices[2].mu_star == Approx(0.0).margin(1e-12));
}

TEST_CASE("morris indices need one output per design point") {
  Rng rng(5, 0, "morris");
  const auto design = morris_design(3, 2, 4, rng);
  const std::vector<double> outputs(3, 0.0);
  CHECK_THROWS_AS(morris_indices(design, outputs), std::invalid_argument);
}

TEST_CASE("sobol indices of the Ishigami function match the analytic values") {
  Rng rng(2024, 0, "sobol");
  const auto design = saltelli_design(20000, 3, rng);
  const auto outputs = ishigami(design.points);
  const auto indices = sobol_indices(design, outputs);
  REQUIRE(indices.size() == 3);
  CHECK(indices[0].first == Approx(0.3139).margin(0.03));
  CHECK(indices[1].first == Approx(0.4424).margin(0.03));
  CHECK(indices[2].first == Approx(0.0).margin(0.03));
  CHECK(indices[0].total == Approx(0.5576).margin(0.03));
  CHECK(indices[1].total == Approx(0.4424).margin(0.03));
  CHECK(indices[2].total == Approx(0.2437).margin(0.03));
}

TEST_CASE("sobol indices do not change when a constant is added to the output") {
  tenderlab::Rng rng(11, 0, "sobol-shift");
  const SaltelliDesign design = saltelli_design(2000, 3, rng);
  std::vector<double> outputs, shifted;
  for (const auto& x : design.points) {
    const double y = 4 * x[0] + 2 * x[1] * x[1] + 0.5 * x[2];
    outputs.push_back(y);
    shifted.push_back(y + 1000.0);
  }
  const auto plain = sobol_indices(design, outputs);
  const auto moved = sobol_indices(design, shifted);
  for (std::size_t i = 0; i < plain.size(); ++i) {
    CHECK(moved[i].first == Approx(plain[i].first).margin(1e-6));
    CHECK(moved[i].total == Approx(plain[i].total).margin(1e-6));
  }
}

TEST_CASE("sobol indices of an additive function split the variance by term") {
  Rng rng(2024, 0, "sobol-additive");
  const auto design = saltelli_design(4096, 3, rng);
  // Var(x0) : Var(2 x1) = 1 : 4, and x2 does nothing.
  std::vector<double> outputs;
  for (const auto& u : design.points)
    outputs.push_back(u[0] + 2.0 * u[1]);
  const auto indices = sobol_indices(design, outputs);
  CHECK(indices[0].first == Approx(0.2).margin(0.02));
  CHECK(indices[1].first == Approx(0.8).margin(0.02));
  CHECK(indices[0].total == Approx(0.2).margin(0.02));
  CHECK(indices[1].total == Approx(0.8).margin(0.02));
  CHECK(indices[2].first == Approx(0.0).margin(1e-12));
  CHECK(indices[2].total == Approx(0.0).margin(1e-12));
}

TEST_CASE("sobol indices of a constant output are undefined") {
  Rng rng(1, 0, "sobol");
  const auto design = saltelli_design(10, 2, rng);
  const std::vector<double> outputs(design.points.size(), 4.2);
  const auto indices = sobol_indices(design, outputs);
  CHECK(std::isnan(indices[0].first));
  CHECK(std::isnan(indices[1].total));
  CHECK_THROWS_AS(sobol_indices(design, std::vector<double>(5, 0.0)), std::invalid_argument);
}

TEST_CASE("bootstrap intervals of sobol indices bracket the estimates and the true values") {
  Rng design_rng(2024, 0, "sobol-bootstrap");
  const auto design = saltelli_design(2000, 3, design_rng);
  const auto outputs = ishigami(design.points);
  Rng rng(2024, 0, "bootstrap");
  const auto intervals = sobol_bootstrap(design, outputs, 200, rng, 0.99);
  const auto point = sobol_indices(design, outputs);
  REQUIRE(intervals.size() == 3);
  const double first[] = {0.3139, 0.4424, 0.0};
  const double total[] = {0.5576, 0.4424, 0.2437};
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(intervals[i].estimate.first == point[i].first);
    CHECK(intervals[i].first_low <= point[i].first);
    CHECK(point[i].first <= intervals[i].first_high);
    CHECK(intervals[i].total_low <= point[i].total);
    CHECK(point[i].total <= intervals[i].total_high);
    CHECK(intervals[i].first_low <= first[i]);
    CHECK(first[i] <= intervals[i].first_high);
    CHECK(intervals[i].total_low <= total[i]);
    CHECK(total[i] <= intervals[i].total_high);
    CHECK(intervals[i].first_high - intervals[i].first_low < 0.3);
  }
}

TEST_CASE("bootstrap intervals of morris indices collapse when every trajectory agrees") {
  Rng rng(5, 0, "morris");
  const std::vector<double> coefficients{3.0, -2.0, 0.0};
  const auto design = morris_design(3, 12, 4, rng);
  std::vector<double> outputs;
  for (const auto& u : design.points)
    outputs.push_back(1.0 + coefficients[0] * u[0] + coefficients[1] * u[1]);
  Rng bootstrap_rng(5, 0, "bootstrap");
  const auto intervals = morris_bootstrap(design, outputs, 100, bootstrap_rng);
  REQUIRE(intervals.size() == 3);
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(intervals[j].estimate.mu_star == Approx(std::fabs(coefficients[j])).margin(1e-9));
    CHECK(intervals[j].mu_star_low == Approx(std::fabs(coefficients[j])).margin(1e-9));
    CHECK(intervals[j].mu_star_high == Approx(std::fabs(coefficients[j])).margin(1e-9));
    CHECK(intervals[j].mu_low == Approx(coefficients[j]).margin(1e-9));
    CHECK(intervals[j].mu_high == Approx(coefficients[j]).margin(1e-9));
  }
}

TEST_CASE("bootstrap of two morris trajectories resamples their four equally likely pairs") {
  // One factor, two trajectories by hand: elementary effects 1 and 3 (delta 0.5). A resample is
  // {1,1}, {1,3}, {3,1} or {3,3}: mu* is 1, 2 or 3 with probabilities 1/4, 1/2, 1/4, so the 95 %
  // interval spans [1, 3] and the central 20 % sits on 2.
  MorrisDesign design;
  design.factors = 1;
  design.trajectories = 2;
  design.levels = 2;
  design.delta = 0.5;
  design.points = {{0.0}, {0.5}, {0.0}, {0.5}};
  design.order = {{0}, {0}};
  design.sign = {{1}, {1}};
  const std::vector<double> outputs{0.0, 0.5, 10.0, 11.5};
  Rng rng(11, 0, "bootstrap");
  const auto wide = morris_bootstrap(design, outputs, 2000, rng, 0.95);
  REQUIRE(wide.size() == 1);
  CHECK(wide[0].estimate.mu_star == Approx(2.0));
  CHECK(wide[0].estimate.sigma == Approx(std::sqrt(2.0)));
  CHECK(wide[0].mu_star_low == Approx(1.0));
  CHECK(wide[0].mu_star_high == Approx(3.0));
  Rng rng_again(11, 0, "bootstrap");
  const auto narrow = morris_bootstrap(design, outputs, 2000, rng_again, 0.2);
  CHECK(narrow[0].mu_star_low == Approx(2.0));
  CHECK(narrow[0].mu_star_high == Approx(2.0));
}

TEST_CASE(
    "bootstrap intervals of morris indices bracket the estimates, narrow with more "
    "trajectories and repeat with the same seed") {
  auto interaction = [](const MorrisDesign& design) {
    std::vector<double> outputs;
    for (const auto& u : design.points)
      outputs.push_back((u[0] - 0.5) * (u[1] - 0.5) + 0.3 * u[2]);
    return outputs;
  };
  Rng few_rng(7, 0, "morris");
  const auto few = morris_design(3, 10, 4, few_rng);
  Rng many_rng(7, 0, "morris");
  const auto many = morris_design(3, 400, 4, many_rng);
  Rng a(7, 0, "bootstrap");
  Rng b(7, 0, "bootstrap");
  Rng c(7, 0, "bootstrap");
  const auto first = morris_bootstrap(few, interaction(few), 300, a);
  const auto repeated = morris_bootstrap(few, interaction(few), 300, b);
  const auto precise = morris_bootstrap(many, interaction(many), 300, c);
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(first[j].mu_star_low <= first[j].estimate.mu_star);
    CHECK(first[j].estimate.mu_star <= first[j].mu_star_high);
    CHECK(first[j].mu_low <= first[j].estimate.mu);
    CHECK(first[j].estimate.mu <= first[j].mu_high);
    CHECK(repeated[j].mu_star_low == first[j].mu_star_low);
    CHECK(repeated[j].mu_star_high == first[j].mu_star_high);
  }
  // x0 interacts with x1: its effects vary, so its interval has width, which shrinks with n.
  CHECK(first[0].mu_star_high - first[0].mu_star_low > 0.01);
  CHECK(precise[0].mu_star_high - precise[0].mu_star_low <
        0.5 * (first[0].mu_star_high - first[0].mu_star_low));
}

TEST_CASE("morris bootstrap rejects too few resamples, a bad level and missing outputs") {
  Rng rng(5, 0, "morris");
  const auto design = morris_design(2, 3, 4, rng);
  const std::vector<double> outputs(design.points.size(), 1.0);
  Rng bootstrap_rng(5, 0, "bootstrap");
  CHECK_THROWS_AS(morris_bootstrap(design, outputs, 1, bootstrap_rng), std::invalid_argument);
  CHECK_THROWS_AS(morris_bootstrap(design, outputs, 10, bootstrap_rng, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(morris_bootstrap(design, std::vector<double>(2, 0.0), 10, bootstrap_rng),
                  std::invalid_argument);
}
