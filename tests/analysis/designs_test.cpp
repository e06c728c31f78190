#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>

#include "tenderlab/analysis/designs.hpp"

using tenderlab::Rng;
using namespace tenderlab::analysis;

namespace {

// The stratum index of each point along factor j, sorted; a Latin hypercube gives 0..n-1.
std::vector<int> sorted_strata(const UnitPoints& points, std::size_t j) {
  std::vector<int> strata;
  const auto n = static_cast<double>(points.size());
  for (const auto& point : points)
    strata.push_back(static_cast<int>(std::floor(point[j] * n)));
  std::sort(strata.begin(), strata.end());
  return strata;
}

std::vector<int> iota_vector(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    v[static_cast<std::size_t>(i)] = i;
  return v;
}

}  // namespace

TEST_CASE("unit coordinates map to factor values by the documented convention") {
  CHECK(unit_to_value(0.25, 10.0, 30.0) == 15.0);
  CHECK(unit_to_level(0.0, 3) == 0);
  CHECK(unit_to_level(0.34, 3) == 1);
  CHECK(unit_to_level(0.99, 3) == 2);
  // u == 1 is the top of the last stratum, not an extra level.
  CHECK(unit_to_level(1.0, 3) == 2);
}

TEST_CASE("a full factorial grid crosses every level, the last factor varying fastest") {
  const std::vector<FactorShape> factors{{true, 2}, {false, 3}};
  const auto points = grid_design(factors);
  const UnitPoints expected{{0.25, 0.0}, {0.25, 0.5}, {0.25, 1.0},
                            {0.75, 0.0}, {0.75, 0.5}, {0.75, 1.0}};
  CHECK(points == expected);
}

TEST_CASE("grid levels of a discrete factor map back to each of its values once") {
  const auto points = grid_design({{true, 5}});
  REQUIRE(points.size() == 5);
  for (std::size_t i = 0; i < points.size(); ++i) {
    CHECK(unit_to_level(points[i][0], 5) == static_cast<int>(i));
  }
}

TEST_CASE("a numeric factor with one grid level sits at the centre of its range") {
  const auto points = grid_design({{false, 1}, {false, 2}});
  const UnitPoints expected{{0.5, 0.0}, {0.5, 1.0}};
  CHECK(points == expected);
}

TEST_CASE("designs reject factors without levels") {
  CHECK_THROWS_AS(grid_design({{false, 0}}), std::invalid_argument);
  CHECK_THROWS_AS(one_at_a_time({{true, -1}}), std::invalid_argument);
}

TEST_CASE("a latin hypercube puts exactly one point in each stratum of each factor") {
  Rng rng(7, 0, "lhs");
  const int n = 50;
  const auto points = latin_hypercube(n, 4, rng);
  REQUIRE(points.size() == 50);
  for (const auto& point : points) {
    REQUIRE(point.size() == 4);
    for (const double u : point) {
      CHECK(u >= 0.0);
      CHECK(u < 1.0);
    }
  }
  for (std::size_t j = 0; j < 4; ++j)
    CHECK(sorted_strata(points, j) == iota_vector(n));
}

TEST_CASE("a latin hypercube depends only on the random stream") {
  Rng a(7, 0, "lhs"), b(7, 0, "lhs"), c(7, 1, "lhs");
  const auto first = latin_hypercube(20, 3, a);
  CHECK(latin_hypercube(20, 3, b) == first);
  CHECK(latin_hypercube(20, 3, c) != first);
}

TEST_CASE("one-at-a-time starts at the centre and then moves one factor at a time") {
  const std::vector<FactorShape> factors{{false, 3}, {true, 4}, {false, 2}};
  const auto points = one_at_a_time(factors);
  const std::vector<double> centre{0.5, 1.5 / 4.0, 0.5};
  REQUIRE(points.size() == 1 + 2 + 3 + 2);
  CHECK(points[0] == centre);
  const UnitPoints expected{centre,
                            {0.0, 0.375, 0.5},
                            {1.0, 0.375, 0.5},
                            {0.5, 0.125, 0.5},
                            {0.5, 0.625, 0.5},
                            {0.5, 0.875, 0.5},
                            {0.5, 0.375, 0.0},
                            {0.5, 0.375, 1.0}};
  CHECK(points == expected);
}

TEST_CASE("morris trajectories move one factor by delta per step") {
  Rng rng(11, 0, "morris");
  const int k = 5;
  const int r = 10;
  const auto design = morris_design(k, r, 4, rng);
  CHECK(design.delta == Approx(2.0 / 3.0));
  REQUIRE(design.points.size() == static_cast<std::size_t>((k + 1) * r));
  REQUIRE(design.order.size() == static_cast<std::size_t>(r));
  REQUIRE(design.sign.size() == static_cast<std::size_t>(r));
  for (std::size_t t = 0; t < static_cast<std::size_t>(r); ++t) {
    auto order = design.order[t];
    std::sort(order.begin(), order.end());
    CHECK(order == iota_vector(k));
    for (std::size_t s = 0; s < static_cast<std::size_t>(k); ++s) {
      const auto& before = design.points[t * (k + 1) + s];
      const auto& after = design.points[t * (k + 1) + s + 1];
      const auto moved = static_cast<std::size_t>(design.order[t][s]);
      for (std::size_t j = 0; j < static_cast<std::size_t>(k); ++j) {
        if (j == moved) {
          CHECK(after[j] - before[j] == Approx(design.sign[t][s] * design.delta));
        } else {
          CHECK(after[j] == before[j]);
        }
      }
    }
  }
}

TEST_CASE("morris points with an even number of levels lie on the level grid") {
  Rng rng(11, 0, "morris");
  const auto design = morris_design(3, 20, 6, rng);
  const std::vector<double> grid{0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
  bool saw_up = false;
  bool saw_down = false;
  for (const auto& point : design.points) {
    for (const double u : point) {
      const bool on_grid =
          std::any_of(grid.begin(), grid.end(), [u](double g) { return std::fabs(g - u) < 1e-12; });
      CHECK(on_grid);
    }
  }
  for (const auto& signs : design.sign) {
    for (const int s : signs)
      (s > 0 ? saw_up : saw_down) = true;
  }
  CHECK(saw_up);
  CHECK(saw_down);
}

TEST_CASE("a morris design needs at least two levels") {
  Rng rng(1, 0, "morris");
  CHECK_THROWS_AS(morris_design(3, 4, 1, rng), std::invalid_argument);
}

TEST_CASE("a saltelli design has n*(k+2) points") {
  Rng rng(3, 0, "saltelli");
  const auto design = saltelli_design(16, 3, rng);
  CHECK(design.base_samples == 16);
  CHECK(design.factors == 3);
  CHECK(design.points.size() == 16u * 5u);
}

TEST_CASE("saltelli AB_i rows take column i from B and the others from A") {
  Rng rng(3, 0, "saltelli");
  const std::size_t n = 16;
  const std::size_t k = 3;
  const auto design = saltelli_design(static_cast<int>(n), static_cast<int>(k), rng);
  const UnitPoints a(design.points.begin(), design.points.begin() + n);
  const UnitPoints b(design.points.begin() + n, design.points.begin() + 2 * n);
  for (std::size_t j = 0; j < k; ++j) {
    CHECK(sorted_strata(a, j) == iota_vector(static_cast<int>(n)));
    CHECK(sorted_strata(b, j) == iota_vector(static_cast<int>(n)));
  }
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t r = 0; r < n; ++r) {
      const auto& row = design.points[(2 + i) * n + r];
      for (std::size_t j = 0; j < k; ++j)
        CHECK(row[j] == (j == i ? b[r][j] : a[r][j]));
    }
  }
}

TEST_CASE("each grid point can be computed alone, and equals the point of the whole grid") {
  const std::vector<FactorShape> factors = {{false, 3}, {true, 2}, {false, 1}, {true, 4}};
  const UnitPoints grid = grid_design(factors);
  REQUIRE(grid_size(factors) == grid.size());
  REQUIRE(grid.size() == 24);
  for (std::size_t i = 0; i < grid.size(); ++i)
    CHECK(grid_point(factors, i) == grid[i]);
  CHECK_THROWS_AS(grid_point(factors, grid.size()), std::out_of_range);
  CHECK(grid_size({}) == 0u);
}

TEST_CASE("a grid whose number of points does not fit in a size_t is refused, not wrapped") {
  // 1000^7 = 1e21 > 2^64: the product used to wrap around silently.
  const std::vector<FactorShape> factors(7, FactorShape{false, 1000});
  CHECK_FALSE(grid_size(factors).has_value());
  CHECK_THROWS_AS(grid_design(factors), std::length_error);
  CHECK_THROWS_AS(grid_point(factors, 0), std::out_of_range);
  // Just below the limit it is counted exactly.
  CHECK(grid_size(std::vector<FactorShape>(6, FactorShape{false, 1000})) ==
        1'000'000'000'000'000'000u);
}

TEST_CASE("the one-at-a-time design's size is known without building it") {
  const std::vector<std::vector<FactorShape>> cases = {
      {{false, 3}}, {{false, 4}, {true, 2}}, {{true, 1}, {false, 1}, {true, 5}}, {}};
  for (const auto& factors : cases)
    CHECK(one_at_a_time_size(factors) == one_at_a_time(factors).size());
}

TEST_CASE("the flat Latin hypercube holds the same points as the one with a vector per point") {
  Rng first(11, 0, "design/flat");
  Rng second(11, 0, "design/flat");
  const UnitPoints points = latin_hypercube(37, 3, first);
  const std::vector<double> flat = latin_hypercube_flat(37, 3, second);
  REQUIRE(flat.size() == 37 * 3);
  for (std::size_t i = 0; i < points.size(); ++i)
    for (std::size_t j = 0; j < 3; ++j)
      CHECK(flat[i * 3 + j] == points[i][j]);
}
