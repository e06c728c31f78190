// Shapley values (agents/src/shapley.cpp): the axioms that make them the right way to split a
// value among clauses, small games worked by hand, and the sampled estimate against the exact one.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "tenderlab/agents/shapley.hpp"
#include "tenderlab/engine/input_error.hpp"

using namespace tenderlab;

namespace {

bool has(Coalition coalition, int player) {
  return (coalition >> player) & 1U;
}

/// The glove game: player 0 holds a left glove, players 1 and 2 a right glove each; a coalition
/// is worth 1 when it can make a pair.
double gloves(Coalition s) {
  return has(s, 0) && (has(s, 1) || has(s, 2)) ? 1.0 : 0.0;
}

/// A game with no structure: every coalition's value from a hash of its mask.
double scrambled(Coalition s) {
  std::uint64_t x = (s + 1) * 0x9E3779B97F4A7C15ULL;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 32;
  return static_cast<double>(x % 20001) / 100.0 - 100.0;
}

double sum(const std::vector<double>& values) {
  double total = 0;
  for (double v : values)
    total += v;
  return total;
}

}  // namespace

TEST_CASE("the glove game, by hand") {
  const ShapleyValues s = exact_shapley(3, gloves);
  REQUIRE(s.effects.size() == 3);
  CHECK(s.effects[0] == Approx(2.0 / 3).margin(1e-15));
  CHECK(s.effects[1] == Approx(1.0 / 6).margin(1e-15));
  CHECK(s.effects[2] == Approx(1.0 / 6).margin(1e-15));
  CHECK(s.grand_value == 1.0);
  CHECK(s.empty_value == 0.0);
  CHECK(s.exact);
  CHECK(s.evaluations == 8);
  CHECK(s.standard_errors == std::vector<double>{0, 0, 0});
  // Interaction indices, with weights 1/2 for S = {} and S = {the third player}:
  // I_01 = 1/2 [v(01) - v(0) - v(1) + v()] + 1/2 [v(012) - v(02) - v(12) + v(2)] = 1/2 + 0,
  // I_02 = 1/2 likewise, I_12 = 1/2 [0] + 1/2 [1 - 1 - 1 + 0] = -1/2. All three tie in
  // magnitude: the first pair is kept.
  CHECK(s.strongest_interaction.first == 0);
  CHECK(s.strongest_interaction.second == 1);
  CHECK(s.strongest_interaction.value == Approx(0.5).margin(1e-15));
}

TEST_CASE("a pure two-clause interaction: each gets half, the index is the whole surplus") {
  // Worth 6 together, 1 and 2 alone: phi_0 = 1/2 (1 - 0) + 1/2 (6 - 2) = 2.5, phi_1 = 3.5,
  // I_01 = 6 - 1 - 2 + 0 = 3.
  auto game = [](Coalition s) {
    const double values[] = {0, 1, 2, 6};
    return values[s];
  };
  const ShapleyValues s = exact_shapley(2, game);
  CHECK(s.effects[0] == 2.5);
  CHECK(s.effects[1] == 3.5);
  CHECK(s.strongest_interaction.value == 3.0);
}

TEST_CASE("efficiency: the effects add up to v(all) - v(none)") {
  for (int n = 0; n <= 10; ++n) {
    INFO(n << " players");
    const ShapleyValues s = exact_shapley(n, scrambled);
    CHECK(s.effects.size() == static_cast<std::size_t>(n));
    CHECK(s.evaluations == 1 << n);
    CHECK(sum(s.effects) == Approx(s.grand_value - s.empty_value).margin(1e-9));
  }
}

TEST_CASE("symmetry: players that enter every coalition alike get equal effects") {
  // Players 1 and 3 are interchangeable: the value depends on how many of them are in.
  auto game = [](Coalition s) {
    const int twins = int(has(s, 1)) + int(has(s, 3));
    return 5.0 * has(s, 0) + 2.0 * twins * twins - 3.0 * has(s, 2) * twins + scrambled(s & 16U);
  };
  const ShapleyValues s = exact_shapley(5, game);
  CHECK(s.effects[1] == Approx(s.effects[3]).margin(1e-12));
  CHECK(s.effects[1] != Approx(s.effects[0]));
}

TEST_CASE("null player: a player that changes no coalition's value gets exactly 0") {
  // Player 2 is ignored by the game.
  auto game = [](Coalition s) { return scrambled(s & ~Coalition{4}); };
  const ShapleyValues s = exact_shapley(4, game);
  CHECK(s.effects[2] == 0.0);
  CHECK(sum(s.effects) == Approx(s.grand_value - s.empty_value).margin(1e-9));
}

TEST_CASE("additivity: the effects of a sum of games are the sums of their effects") {
  auto other = [](Coalition s) { return scrambled(s ^ 0x2AU) * 0.5 + has(s, 4); };
  auto both = [&](Coalition s) { return scrambled(s) + other(s); };
  const ShapleyValues a = exact_shapley(6, scrambled);
  const ShapleyValues b = exact_shapley(6, other);
  const ShapleyValues ab = exact_shapley(6, both);
  for (std::size_t k = 0; k < 6; ++k)
    CHECK(ab.effects[k] == Approx(a.effects[k] + b.effects[k]).margin(1e-9));
}

TEST_CASE("an additive game: each player's effect is its own contribution, no interaction") {
  const double own[] = {3.0, -1.5, 0.25, -7.0};
  auto game = [&](Coalition s) {
    double v = 10;
    for (int k = 0; k < 4; ++k)
      if (has(s, k)) v += own[k];
    return v;
  };
  const ShapleyValues s = exact_shapley(4, game);
  for (int k = 0; k < 4; ++k)
    CHECK(s.effects[static_cast<std::size_t>(k)] == Approx(own[k]).margin(1e-12));
  CHECK(s.strongest_interaction.value == Approx(0).margin(1e-12));
}

TEST_CASE("sampled Shapley values add up exactly and agree with the exact ones") {
  Rng rng(7, 0, "shapley-test");
  const ShapleyValues exact = exact_shapley(6, scrambled);
  const ShapleyValues sampled = sampled_shapley(6, scrambled, 4000, rng);
  CHECK_FALSE(sampled.exact);
  CHECK(sampled.permutations == 4000);
  CHECK(sampled.evaluations <= 64);
  CHECK(sum(sampled.effects) == Approx(sampled.grand_value - sampled.empty_value).margin(1e-9));
  for (std::size_t k = 0; k < 6; ++k) {
    INFO("player " << k);
    REQUIRE(sampled.standard_errors[k] > 0);
    CHECK(std::abs(sampled.effects[k] - exact.effects[k]) < 4.5 * sampled.standard_errors[k]);
  }
}

TEST_CASE("sampled interaction: the glove game's strongest pair, within its error") {
  Rng rng(11, 0, "shapley-test");
  const ShapleyValues s = sampled_shapley(3, gloves, 3000, rng);
  const PairInteraction& pair = s.strongest_interaction;
  REQUIRE(pair.first >= 0);
  CHECK(std::abs(std::abs(pair.value) - 0.5) < 4.5 * pair.standard_error + 1e-12);
}

TEST_CASE("sampled values come from the stream: the same seed gives the same numbers") {
  Rng a(3, 1, "shapley-test"), b(3, 1, "shapley-test"), c(4, 1, "shapley-test");
  const ShapleyValues x = sampled_shapley(8, scrambled, 50, a);
  const ShapleyValues y = sampled_shapley(8, scrambled, 50, b);
  const ShapleyValues z = sampled_shapley(8, scrambled, 50, c);
  CHECK(x.effects == y.effects);
  CHECK(x.effects != z.effects);
}

TEST_CASE("games too large or without orders are refused") {
  Rng rng(1, 0, "shapley-test");
  CHECK_THROWS_AS(exact_shapley(max_shapley_players + 1, scrambled), ModelError);
  CHECK_THROWS_AS(exact_shapley(-1, scrambled), ModelError);
  CHECK_THROWS_AS(sampled_shapley(3, gloves, 0, rng), ModelError);
  // No player: the values of the empty game, no interaction.
  const ShapleyValues empty = exact_shapley(0, scrambled);
  CHECK(empty.effects.empty());
  CHECK(empty.strongest_interaction.first == -1);
}
