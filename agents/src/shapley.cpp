#include "tenderlab/agents/shapley.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

namespace {

void check_players(int players, const char* what) {
  if (players < 0 || players > max_shapley_players)
    throw ModelError(std::string(what) + ": " + std::to_string(players) +
                     " players, expected 0 to " + std::to_string(max_shapley_players));
}

Coalition bit(int player) {
  return Coalition{1} << static_cast<unsigned>(player);
}

/// n choose k, exact in a double for the sizes max_shapley_players allows.
double binomial(int n, int k) {
  double result = 1;
  for (int i = 1; i <= k; ++i)
    result = result * (n - k + i) / i;
  return result;
}

/// Values coalitions on demand, each at most once.
class CachedGame {
 public:
  explicit CachedGame(const CoalitionValue& value) : value_(value) {}
  double operator()(Coalition coalition) {
    auto it = cache_.find(coalition);
    if (it == cache_.end()) it = cache_.emplace(coalition, value_(coalition)).first;
    return it->second;
  }
  int evaluations() const { return static_cast<int>(cache_.size()); }

 private:
  const CoalitionValue& value_;
  std::unordered_map<Coalition, double> cache_;
};

/// Keeps `candidate` when it interacts more strongly than `best` (ties keep the earlier pair).
void keep_stronger(PairInteraction& best, const PairInteraction& candidate) {
  if (best.first < 0 || std::abs(candidate.value) > std::abs(best.value)) best = candidate;
}

}  // namespace

ShapleyValues exact_shapley(int players, const CoalitionValue& value) {
  check_players(players, "exact_shapley");
  const auto n = static_cast<std::size_t>(players);
  const Coalition all = (Coalition{1} << n) - 1;
  // Every coalition, in mask order, valued once.
  std::vector<double> v(static_cast<std::size_t>(all) + 1);
  for (Coalition s = 0; s <= all; ++s)
    v[s] = value(s);

  ShapleyValues out;
  out.effects.assign(n, 0.0);
  out.standard_errors.assign(n, 0.0);
  out.grand_value = v[all];
  out.empty_value = v[0];
  out.evaluations = static_cast<int>(v.size());
  if (players == 0) return out;

  // |S|! (n - |S| - 1)! / n! = 1 / (n C(n - 1, |S|)).
  std::vector<double> weight(n);
  for (int size = 0; size < players; ++size)
    weight[static_cast<std::size_t>(size)] = 1.0 / (players * binomial(players - 1, size));
  for (int k = 0; k < players; ++k) {
    double phi = 0;
    for (Coalition s = 0; s <= all; ++s) {
      if (s & bit(k)) continue;
      phi += weight[static_cast<std::size_t>(std::popcount(s))] * (v[s | bit(k)] - v[s]);
    }
    out.effects[static_cast<std::size_t>(k)] = phi;
  }

  if (players < 2) return out;
  // |S|! (n - |S| - 2)! / (n - 1)! = 1 / ((n - 1) C(n - 2, |S|)).
  std::vector<double> pair_weight(n - 1);
  for (int size = 0; size + 1 < players; ++size)
    pair_weight[static_cast<std::size_t>(size)] =
        1.0 / ((players - 1) * binomial(players - 2, size));
  for (int i = 0; i < players; ++i)
    for (int j = i + 1; j < players; ++j) {
      const Coalition both = bit(i) | bit(j);
      double index = 0;
      for (Coalition s = 0; s <= all; ++s) {
        if (s & both) continue;
        index += pair_weight[static_cast<std::size_t>(std::popcount(s))] *
                 (v[s | both] - v[s | bit(i)] - v[s | bit(j)] + v[s]);
      }
      keep_stronger(out.strongest_interaction, PairInteraction{i, j, index, 0.0});
    }
  return out;
}

ShapleyValues sampled_shapley(int players, const CoalitionValue& value, int permutations,
                              Rng& rng) {
  check_players(players, "sampled_shapley");
  if (permutations < 1) throw ModelError("sampled_shapley: need at least one permutation");
  const auto n = static_cast<std::size_t>(players);
  const Coalition all = (Coalition{1} << n) - 1;
  CachedGame v(value);

  ShapleyValues out;
  out.exact = false;
  out.permutations = permutations;
  out.grand_value = v(all);
  out.empty_value = v(0);
  std::vector<double> sum(n, 0.0), sum_squares(n, 0.0);
  // Adjacent-pair interaction samples, by pair (i < j) at i * n + j.
  std::vector<double> pair_sum(n * n, 0.0), pair_squares(n * n, 0.0);
  std::vector<int> pair_count(n * n, 0);

  std::vector<int> order(n);
  for (int p = 0; p < permutations; ++p) {
    std::iota(order.begin(), order.end(), 0);
    // Fisher-Yates, from the back.
    for (std::size_t i = n; i > 1; --i)
      std::swap(order[i - 1], order[static_cast<std::size_t>(rng.below(i))]);
    Coalition before = 0;
    double value_before = out.empty_value;
    for (std::size_t t = 0; t < n; ++t) {
      const auto k = static_cast<std::size_t>(order[t]);
      const Coalition with = before | bit(order[t]);
      const double value_with = v(with);
      const double contribution = value_with - value_before;
      sum[k] += contribution;
      sum_squares[k] += contribution * contribution;
      if (t + 1 < n) {
        const int next = order[t + 1];
        const double delta =
            v(with | bit(next)) - value_with - v(before | bit(next)) + value_before;
        const std::size_t i = std::min(k, static_cast<std::size_t>(next));
        const std::size_t j = std::max(k, static_cast<std::size_t>(next));
        pair_sum[i * n + j] += delta;
        pair_squares[i * n + j] += delta * delta;
        ++pair_count[i * n + j];
      }
      before = with;
      value_before = value_with;
    }
  }

  auto mean_and_error = [](double total, double squares, int count, double& mean, double& error) {
    mean = total / count;
    error = 0;
    if (count > 1) {
      const double variance = std::max(0.0, (squares - count * mean * mean) / (count - 1));
      error = std::sqrt(variance / count);
    }
  };
  out.effects.assign(n, 0.0);
  out.standard_errors.assign(n, 0.0);
  for (std::size_t k = 0; k < n; ++k)
    mean_and_error(sum[k], sum_squares[k], permutations, out.effects[k], out.standard_errors[k]);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      const int count = pair_count[i * n + j];
      if (count == 0) continue;
      PairInteraction pair{static_cast<int>(i), static_cast<int>(j), 0, 0};
      mean_and_error(pair_sum[i * n + j], pair_squares[i * n + j], count, pair.value,
                     pair.standard_error);
      keep_stronger(out.strongest_interaction, pair);
    }
  out.evaluations = v.evaluations();
  return out;
}

}  // namespace tenderlab
