#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tenderlab/analysis/prim.hpp"
#include "tenderlab/engine/rng.hpp"

using tenderlab::Rng;
using namespace tenderlab::analysis;

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

struct Data {
  std::vector<std::vector<double>> x;
  std::vector<int> y;
};

// Three uniform numeric factors and one discrete factor in {0, 1, 2}; the outcome is 1 inside
// x0 > 0.6 and x1 < 0.3, with a share `noise` of labels flipped everywhere.
Data planted_box(std::size_t n, double noise = 0.02) {
  Rng rng(99, 0, "prim-data");
  Data data;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> row{rng.uniform(), rng.uniform(), rng.uniform(),
                            static_cast<double>(rng.below(3))};
    const bool inside = row[0] > 0.6 && row[1] < 0.3;
    const bool flip = rng.uniform() < noise;
    data.x.push_back(row);
    data.y.push_back(inside != flip ? 1 : 0);
  }
  return data;
}

const std::vector<PrimFactor> planted_factors{
    {"x0", false}, {"x1", false}, {"x2", false}, {"x3", true}};

const PrimRestriction* restriction_on(const PrimBox& box, int factor) {
  for (const auto& r : box.restrictions) {
    if (r.factor == factor) return &r;
  }
  return nullptr;
}

}  // namespace

void check_planted(const PrimBox& box) {
  INFO(describe(box, planted_factors));
  CHECK(box.coverage > 0.8);
  CHECK(box.density > 0.8);
  const auto* x0 = restriction_on(box, 0);
  const auto* x1 = restriction_on(box, 1);
  REQUIRE(x0 != nullptr);
  REQUIRE(x1 != nullptr);
  CHECK(x0->low == Approx(0.6).margin(0.05));
  CHECK(x0->high == infinity);
  CHECK(x1->low == -infinity);
  CHECK(x1->high == Approx(0.3).margin(0.05));
  CHECK(restriction_on(box, 2) == nullptr);
}

TEST_CASE("prim finds a planted box") {
  const auto data = planted_box(2000, 0.0);
  const auto result = prim(data.x, data.y, planted_factors);
  check_planted(result.trajectory.at(result.chosen));
}

TEST_CASE("prim finds a planted box under label noise when asked for high coverage") {
  // With noisy labels, peeling past the true box can still raise the density a little by chipping
  // off flipped labels, at a large cost in coverage; a coverage threshold of 0.8 guards against
  // choosing such a box.
  const auto data = planted_box(2000, 0.02);
  const auto result = prim(data.x, data.y, planted_factors, 0.05, 0.05, 0.8);
  check_planted(result.trajectory.at(result.chosen));
}

TEST_CASE("the first box of a prim trajectory is the whole data set") {
  const auto data = planted_box(500);
  const auto result = prim(data.x, data.y, planted_factors);
  const auto& whole = result.trajectory.at(0);
  CHECK(whole.restrictions.empty());
  CHECK(whole.points == 500);
  CHECK(whole.support == 1.0);
  CHECK(whole.coverage == 1.0);
  CHECK(whole.density == result.base_density);
  CHECK(describe(whole, planted_factors).rfind("always: coverage 1.00, density ", 0) == 0);
}

TEST_CASE("prim peels step by step and never below the minimum support") {
  const auto data = planted_box(1000);
  const auto result = prim(data.x, data.y, planted_factors, 0.05, 0.1, 0.5, 0.0);
  REQUIRE(result.trajectory.size() > 5);
  for (std::size_t b = 1; b < result.trajectory.size(); ++b) {
    CHECK(result.trajectory[b].points < result.trajectory[b - 1].points);
    CHECK(result.trajectory[b].support >= 0.1);
    // One peel removes roughly alpha of the box (more only through ties or a discrete value).
    CHECK(result.trajectory[b].points >= result.trajectory[b - 1].points / 2);
  }
}

TEST_CASE("prim chooses the densest box that keeps the required coverage") {
  const auto data = planted_box(1000);
  for (const double min_coverage : {0.5, 0.9}) {
    const auto result = prim(data.x, data.y, planted_factors, 0.05, 0.05, min_coverage, 0.0);
    const auto& chosen = result.trajectory.at(result.chosen);
    CHECK(chosen.coverage >= min_coverage);
    for (const auto& box : result.trajectory) {
      if (box.coverage >= min_coverage) CHECK(box.density <= chosen.density);
    }
  }
}

TEST_CASE("prim peels a discrete factor one value at a time") {
  std::vector<std::vector<double>> x;
  std::vector<int> y;
  for (int i = 0; i < 400; ++i) {
    const double level = i % 4;
    x.push_back({(i % 37) / 37.0, level});
    y.push_back(level == 2.0 ? 1 : 0);
  }
  const std::vector<PrimFactor> factors{{"noise", false}, {"tariff", true}};
  const auto result = prim(x, y, factors);
  const auto& box = result.trajectory.at(result.chosen);
  CHECK(box.coverage == 1.0);
  CHECK(box.density == 1.0);
  REQUIRE(box.restrictions.size() == 1);
  CHECK(box.restrictions[0].factor == 1);
  CHECK(box.restrictions[0].allowed == std::vector<double>{2.0});
  CHECK(describe(box, factors) == "tariff in {2}: coverage 1.00, density 1.00");
}

TEST_CASE("prim peels tied numeric values together") {
  std::vector<std::vector<double>> x;
  std::vector<int> y;
  for (int i = 0; i < 300; ++i) {
    const double value = (i % 3) * 0.5;
    x.push_back({value});
    y.push_back(value == 1.0 ? 1 : 0);
  }
  const std::vector<PrimFactor> factors{{"share", false}};
  const auto result = prim(x, y, factors);
  const auto& box = result.trajectory.at(result.chosen);
  CHECK(box.points == 100);
  CHECK(describe(box, factors) == "share >= 1.00: coverage 1.00, density 1.00");
}

TEST_CASE("prim gives the same trajectory on the same data") {
  const auto data = planted_box(800);
  const auto first = prim(data.x, data.y, planted_factors);
  const auto second = prim(data.x, data.y, planted_factors);
  REQUIRE(first.trajectory.size() == second.trajectory.size());
  CHECK(first.chosen == second.chosen);
  for (std::size_t b = 0; b < first.trajectory.size(); ++b) {
    CHECK(describe(first.trajectory[b], planted_factors) ==
          describe(second.trajectory[b], planted_factors));
  }
}

TEST_CASE("prim rejects inconsistent inputs") {
  const std::vector<PrimFactor> factors{{"a", false}};
  const std::vector<std::vector<double>> x{{0.1}, {0.2}};
  CHECK_THROWS_AS(prim(x, {0}, factors), std::invalid_argument);
  CHECK_THROWS_AS(prim(x, {0, 2}, factors), std::invalid_argument);
  CHECK_THROWS_AS(prim({{0.1, 0.2}, {0.3, 0.4}}, {0, 1}, factors), std::invalid_argument);
  CHECK_THROWS_AS(prim(x, {0, 1}, factors, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(prim({}, {}, factors), std::invalid_argument);
}

TEST_CASE("describe prints a readable rule") {
  const std::vector<PrimFactor> factors{
      {"public_equity_share", false}, {"buy_back", true}, {"price_cap", false}, {"gpus", false}};
  PrimBox box;
  box.restrictions.push_back({0, 0.42, infinity, {}});
  box.restrictions.push_back({1, -infinity, infinity, {1.0}});
  box.coverage = 0.912;
  box.density = 0.968;
  CHECK(describe(box, factors) ==
        "public_equity_share >= 0.42 and buy_back in {1}: coverage 0.91, density 0.97");
  box.restrictions.push_back({2, 0.2, 0.5, {}});
  box.restrictions.push_back({3, -infinity, 1024.0, {}});
  CHECK(describe(box, factors) ==
        "public_equity_share >= 0.42 and buy_back in {1} and 0.20 <= price_cap <= 0.50 and "
        "gpus <= 1024.00: coverage 0.91, density 0.97");
}

TEST_CASE("describe prints an unrestricted box as always") {
  PrimBox box;
  box.coverage = 1.0;
  box.density = 0.25;
  CHECK(describe(box, {{"a", false}}) == "always: coverage 1.00, density 0.25");
}
