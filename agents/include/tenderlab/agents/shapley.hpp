#pragma once
// Shapley values of a cooperative game given by its characteristic function, pure.
//
// The players are the clauses of a call and v(S) is a member's value with the clauses in S at
// the call's levels and the others neutral (valuation.hpp), but nothing here knows that: a game is
// a number of players and a function from a coalition (a bit mask, bit k for player k) to a value.
// docs/model/valuation.md ("Which clause kept whom away") gives the formulas.
#include <cstdint>
#include <functional>
#include <vector>

#include "tenderlab/engine/rng.hpp"

namespace tenderlab {

/// A coalition: bit k set when player k is in it.
using Coalition = std::uint32_t;

/// The characteristic function of a game. Called at most once per coalition by the functions
/// below, which cache what they ask for.
using CoalitionValue = std::function<double(Coalition)>;

/// The largest game these functions take: coalitions are 32-bit masks and exact computation
/// enumerates 2^players of them.
inline constexpr int max_shapley_players = 20;

struct PairInteraction {
  int first = -1;  ///< player index, first < second; -1 when there is no pair
  int second = -1;
  double value = 0;           ///< the Shapley interaction index of the pair
  double standard_error = 0;  ///< 0 when computed exactly
};

struct ShapleyValues {
  std::vector<double> effects;          ///< one per player
  std::vector<double> standard_errors;  ///< one per player; all 0 when exact
  double grand_value = 0;               ///< v(all players)
  double empty_value = 0;               ///< v(no player)
  bool exact = true;
  int permutations = 0;  ///< sampled permutations (0 when exact)
  int evaluations = 0;   ///< distinct coalitions valued
  /// The pair of players whose Shapley interaction index is largest in magnitude (ties: the
  /// first pair in (first, second) order); none with fewer than two players.
  PairInteraction strongest_interaction;
};

/// Exact Shapley values: phi_k = sum over S not containing k of
/// |S|! (n - |S| - 1)! / n! [v(S + k) - v(S)], with every coalition valued once, and the Shapley
/// interaction index of every pair, I_ij = sum over S without i, j of
/// |S|! (n - |S| - 2)! / (n - 1)! [v(S + i + j) - v(S + i) - v(S + j) + v(S)].
/// The effects add up to v(all) - v(none) up to floating-point rounding. Throws ModelError for
/// more than max_shapley_players players.
ShapleyValues exact_shapley(int players, const CoalitionValue& value);

/// Shapley values estimated from `permutations` random orders of the players drawn from `rng`:
/// each player's effect is the mean of its marginal contributions, with the standard error of
/// that mean. Every order's contributions add up to v(all) - v(none), so the estimates do too.
/// Interactions are estimated from players that stand next to each other in an order (their
/// predecessors are then distributed as the interaction index weighs them), one extra valuation
/// per adjacent pair. Throws ModelError for more than max_shapley_players players or fewer than
/// one permutation.
ShapleyValues sampled_shapley(int players, const CoalitionValue& value, int permutations, Rng& rng);

}  // namespace tenderlab
