#include "tenderlab/analysis/prim.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace tenderlab::analysis {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// The full state of a box: bounds for every factor, restricted or not.
struct BoxState {
  std::vector<double> low;                   // numeric factors; -inf when unrestricted
  std::vector<double> high;                  // numeric factors; +inf when unrestricted
  std::vector<std::vector<double>> allowed;  // discrete factors; sorted remaining values
};

// A candidate change of the box (a peel or a paste) and what it leads to.
struct Move {
  bool valid = false;
  std::size_t factor = 0;
  double low = 0.0;
  double high = 0.0;
  double removed_or_added = 0.0;  // the discrete value dropped or restored
  std::size_t count = 0;
  std::size_t positives = 0;
  double density() const { return static_cast<double>(positives) / static_cast<double>(count); }
};

class Prim {
 public:
  Prim(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
       const std::vector<PrimFactor>& factors)
      : x_(x), y_(y), factors_(factors), k_(factors.size()) {
    values_.resize(k_);
    for (std::size_t j = 0; j < k_; ++j) {
      auto& v = values_[j];
      v.reserve(x_.size());
      for (const auto& row : x_)
        v.push_back(row[j]);
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    for (const int outcome : y_)
      total_positives_ += static_cast<std::size_t>(outcome);
  }

  BoxState whole() const {
    BoxState box;
    box.low.assign(k_, -infinity);
    box.high.assign(k_, infinity);
    box.allowed.resize(k_);
    for (std::size_t j = 0; j < k_; ++j) {
      if (factors_[j].discrete) box.allowed[j] = values_[j];
    }
    return box;
  }

  bool satisfies(const BoxState& box, std::size_t i, std::size_t j) const {
    const double v = x_[i][j];
    if (factors_[j].discrete) {
      return std::binary_search(box.allowed[j].begin(), box.allowed[j].end(), v);
    }
    return v >= box.low[j] && v <= box.high[j];
  }

  // Number of factors whose condition point i fails, stopping early at 2 (callers only need to
  // know 0, 1 or more); `failing` gets the factor when there is exactly one.
  int failures(const BoxState& box, std::size_t i, std::size_t& failing) const {
    int count = 0;
    for (std::size_t j = 0; j < k_; ++j) {
      if (!satisfies(box, i, j)) {
        failing = j;
        if (++count == 2) break;
      }
    }
    return count;
  }

  std::vector<std::size_t> members(const BoxState& box) const {
    std::vector<std::size_t> inside;
    std::size_t failing = 0;
    for (std::size_t i = 0; i < x_.size(); ++i) {
      if (failures(box, i, failing) == 0) inside.push_back(i);
    }
    return inside;
  }

  PrimBox summarize(const BoxState& box) const {
    PrimBox result;
    for (std::size_t j = 0; j < k_; ++j) {
      PrimRestriction restriction;
      restriction.factor = static_cast<int>(j);
      restriction.low = -infinity;
      restriction.high = infinity;
      if (factors_[j].discrete) {
        if (box.allowed[j].size() == values_[j].size()) continue;
        restriction.allowed = box.allowed[j];
      } else {
        if (box.low[j] == -infinity && box.high[j] == infinity) continue;
        restriction.low = box.low[j];
        restriction.high = box.high[j];
      }
      result.restrictions.push_back(std::move(restriction));
    }
    const auto inside = members(box);
    std::size_t positives = 0;
    for (const auto i : inside)
      positives += static_cast<std::size_t>(y_[i]);
    const double n = static_cast<double>(x_.size());
    result.points = inside.size();
    result.support = static_cast<double>(inside.size()) / n;
    result.density =
        inside.empty() ? 0.0 : static_cast<double>(positives) / static_cast<double>(inside.size());
    result.coverage = total_positives_ == 0
                          ? 0.0
                          : static_cast<double>(positives) / static_cast<double>(total_positives_);
    return result;
  }

  // The best peel of the box holding `inside`, keeping at least `min_count` points.
  Move best_peel(const BoxState& box, const std::vector<std::size_t>& inside, double alpha,
                 double min_count) const {
    Move best;
    const std::size_t m = inside.size();
    std::size_t positives = 0;
    for (const auto i : inside)
      positives += static_cast<std::size_t>(y_[i]);
    const double current = static_cast<double>(positives) / static_cast<double>(m);
    double best_gain = 0.0;
    auto consider = [&](const Move& move) {
      if (move.count == 0 || static_cast<double>(move.count) < min_count) return;
      // Density gained per point removed: for peels of equal size (numeric peels without ties)
      // this ranks exactly as the remaining density does, but it stops a discrete value holding a
      // third of the box from winning on a chance gain and costing a third of the coverage.
      const double gain = (move.density() - current) / static_cast<double>(m - move.count);
      // Strictly better only, so the first candidate in the documented order wins ties.
      if (!best.valid || gain > best_gain) {
        best = move;
        best.valid = true;
        best_gain = gain;
      }
    };
    for (std::size_t j = 0; j < k_; ++j) {
      if (factors_[j].discrete) {
        for (const double value : box.allowed[j]) {
          std::size_t count = 0;
          std::size_t hits = 0;
          for (const auto i : inside) {
            if (x_[i][j] == value) {
              ++count;
              hits += static_cast<std::size_t>(y_[i]);
            }
          }
          if (count == 0 || count == m) continue;
          Move move;
          move.factor = j;
          move.removed_or_added = value;
          move.count = m - count;
          move.positives = positives - hits;
          consider(move);
        }
        continue;
      }
      std::vector<std::pair<double, int>> sorted;
      sorted.reserve(m);
      for (const auto i : inside)
        sorted.emplace_back(x_[i][j], y_[i]);
      std::sort(sorted.begin(), sorted.end());
      if (sorted.front().first == sorted.back().first) continue;
      // prefix[q] = positives among the q smallest values.
      std::vector<std::size_t> prefix(m + 1, 0);
      for (std::size_t q = 0; q < m; ++q) {
        prefix[q + 1] = prefix[q] + static_cast<std::size_t>(sorted[q].second);
      }
      const auto r = std::max<std::size_t>(
          1, static_cast<std::size_t>(std::floor(alpha * static_cast<double>(m))));
      // Low side: keep values >= cut. Ties with the smallest value would make the cut remove
      // nothing, so the cut then moves to the next distinct value.
      {
        double cut = sorted[std::min(r, m - 1)].first;
        if (cut == sorted.front().first) {
          cut = std::upper_bound(sorted.begin(), sorted.end(),
                                 std::make_pair(cut, std::numeric_limits<int>::max()))
                    ->first;
        }
        const auto first_kept = static_cast<std::size_t>(
            std::lower_bound(sorted.begin(), sorted.end(),
                             std::make_pair(cut, std::numeric_limits<int>::min())) -
            sorted.begin());
        Move move;
        move.factor = j;
        move.low = cut;
        move.high = box.high[j];
        move.count = m - first_kept;
        move.positives = positives - prefix[first_kept];
        consider(move);
      }
      // High side: keep values <= cut, symmetrically.
      {
        double cut = sorted[m - 1 - std::min(r, m - 1)].first;
        if (cut == sorted.back().first) {
          cut = std::prev(std::lower_bound(sorted.begin(), sorted.end(),
                                           std::make_pair(cut, std::numeric_limits<int>::min())))
                    ->first;
        }
        const auto kept = static_cast<std::size_t>(
            std::upper_bound(sorted.begin(), sorted.end(),
                             std::make_pair(cut, std::numeric_limits<int>::max())) -
            sorted.begin());
        Move move;
        move.factor = j;
        move.low = box.low[j];
        move.high = cut;
        move.count = kept;
        move.positives = prefix[kept];
        consider(move);
      }
    }
    return best;
  }

  // The best paste of the box holding `inside`: adds points that fail only one restriction.
  Move best_paste(const BoxState& box, const std::vector<std::size_t>& inside, double alpha) const {
    Move best;
    const std::size_t m = inside.size();
    std::size_t positives = 0;
    for (const auto i : inside)
      positives += static_cast<std::size_t>(y_[i]);
    const double current = static_cast<double>(positives) / static_cast<double>(m);
    // A paste that keeps the density is taken too: it wins back coverage that peeling in steps of
    // alpha overshot, e.g. positives cut off together with the last negatives of a pure box.
    // Every paste adds points, so the widening ends.
    auto consider = [&](const Move& move) {
      if (move.count == m) return;
      const bool better = best.valid ? move.density() > best.density() : move.density() >= current;
      if (better) {
        best = move;
        best.valid = true;
      }
    };
    const auto r = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::floor(alpha * static_cast<double>(m))));
    // Points outside the box only because of one factor, grouped by that factor.
    std::vector<std::vector<std::size_t>> near(k_);
    for (std::size_t i = 0; i < x_.size(); ++i) {
      std::size_t failing = 0;
      if (failures(box, i, failing) == 1) near[failing].push_back(i);
    }
    for (std::size_t j = 0; j < k_; ++j) {
      if (near[j].empty()) continue;
      if (factors_[j].discrete) {
        for (const double value : values_[j]) {
          if (std::binary_search(box.allowed[j].begin(), box.allowed[j].end(), value)) continue;
          Move move;
          move.factor = j;
          move.removed_or_added = value;
          move.count = m;
          move.positives = positives;
          for (const auto i : near[j]) {
            if (x_[i][j] == value) {
              ++move.count;
              move.positives += static_cast<std::size_t>(y_[i]);
            }
          }
          consider(move);
        }
        continue;
      }
      std::vector<std::pair<double, int>> below;
      std::vector<std::pair<double, int>> above;
      for (const auto i : near[j]) {
        (x_[i][j] < box.low[j] ? below : above).emplace_back(x_[i][j], y_[i]);
      }
      // Low side: move the bound down to the r-th nearest value below it, ties included.
      if (!below.empty()) {
        std::sort(below.begin(), below.end(), std::greater<>());
        const double cut = below[std::min(r, below.size()) - 1].first;
        Move move;
        move.factor = j;
        move.low = cut <= values_[j].front() ? -infinity : cut;
        move.high = box.high[j];
        move.count = m;
        move.positives = positives;
        for (const auto& [value, outcome] : below) {
          if (value < cut) break;
          ++move.count;
          move.positives += static_cast<std::size_t>(outcome);
        }
        consider(move);
      }
      if (!above.empty()) {
        std::sort(above.begin(), above.end());
        const double cut = above[std::min(r, above.size()) - 1].first;
        Move move;
        move.factor = j;
        move.low = box.low[j];
        // NOLINTNEXTLINE(bugprone-narrowing-conversions): double to double (clang-tidy 14)
        move.high = cut >= values_[j].back() ? infinity : cut;
        move.count = m;
        move.positives = positives;
        for (const auto& [value, outcome] : above) {
          if (value > cut) break;
          ++move.count;
          move.positives += static_cast<std::size_t>(outcome);
        }
        consider(move);
      }
    }
    return best;
  }

  void apply_peel(BoxState& box, const Move& move) const {
    if (factors_[move.factor].discrete) {
      auto& allowed = box.allowed[move.factor];
      allowed.erase(std::find(allowed.begin(), allowed.end(), move.removed_or_added));
    } else {
      box.low[move.factor] = move.low;
      box.high[move.factor] = move.high;
    }
  }

  void apply_paste(BoxState& box, const Move& move) const {
    if (factors_[move.factor].discrete) {
      auto& allowed = box.allowed[move.factor];
      allowed.insert(std::upper_bound(allowed.begin(), allowed.end(), move.removed_or_added),
                     move.removed_or_added);
    } else {
      box.low[move.factor] = move.low;
      box.high[move.factor] = move.high;
    }
  }

  std::size_t positives_in(const std::vector<std::size_t>& inside) const {
    std::size_t positives = 0;
    for (const auto i : inside)
      positives += static_cast<std::size_t>(y_[i]);
    return positives;
  }

  std::size_t total_positives() const { return total_positives_; }

 private:
  const std::vector<std::vector<double>>& x_;
  const std::vector<int>& y_;
  const std::vector<PrimFactor>& factors_;
  std::size_t k_;
  std::vector<std::vector<double>> values_;  // distinct values of each factor, sorted
  std::size_t total_positives_ = 0;
};

void check_inputs(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                  const std::vector<PrimFactor>& factors, double peel_alpha, double min_support,
                  double min_coverage, double paste_alpha) {
  auto fail = [](const std::string& message) { throw std::invalid_argument("prim: " + message); };
  if (x.empty()) fail("no data points");
  if (x.size() != y.size()) {
    fail(std::to_string(x.size()) + " input rows but " + std::to_string(y.size()) + " outcomes");
  }
  if (factors.empty()) fail("no factors");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i].size() != factors.size()) {
      fail("row " + std::to_string(i) + " has " + std::to_string(x[i].size()) +
           " values, expected one per factor (" + std::to_string(factors.size()) + ")");
    }
    for (const double v : x[i]) {
      if (std::isnan(v)) fail("row " + std::to_string(i) + " holds NaN");
    }
    if (y[i] != 0 && y[i] != 1) {
      fail("outcome " + std::to_string(i) + " is " + std::to_string(y[i]) + ", expected 0 or 1");
    }
  }
  if (!(peel_alpha > 0.0 && peel_alpha < 1.0)) fail("peel_alpha must be in (0, 1)");
  if (!(min_support >= 0.0 && min_support <= 1.0)) fail("min_support must be in [0, 1]");
  if (!(min_coverage >= 0.0 && min_coverage <= 1.0)) fail("min_coverage must be in [0, 1]");
  if (!(paste_alpha >= 0.0 && paste_alpha < 1.0)) fail("paste_alpha must be in [0, 1)");
}

std::string format_number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f", value + 0.0);
  return buffer;
}

std::string format_value(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.0f", value + 0.0);
    return buffer;
  }
  return format_number(value);
}

}  // namespace

PrimResult prim(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                const std::vector<PrimFactor>& factors, double peel_alpha, double min_support,
                double min_coverage, double paste_alpha) {
  check_inputs(x, y, factors, peel_alpha, min_support, min_coverage, paste_alpha);
  const Prim engine(x, y, factors);
  const double min_count = min_support * static_cast<double>(x.size());

  PrimResult result;
  result.base_density =
      static_cast<double>(engine.total_positives()) / static_cast<double>(x.size());
  std::vector<BoxState> states{engine.whole()};
  result.trajectory.push_back(engine.summarize(states.back()));
  for (;;) {
    const auto inside = engine.members(states.back());
    const std::size_t positives = engine.positives_in(inside);
    // A box of only positives or only negatives cannot get denser.
    if (positives == 0 || positives == inside.size()) break;
    const Move peel = engine.best_peel(states.back(), inside, peel_alpha, min_count);
    if (!peel.valid) break;
    BoxState next = states.back();
    engine.apply_peel(next, peel);
    states.push_back(std::move(next));
    result.trajectory.push_back(engine.summarize(states.back()));
  }

  // Strictly denser only, so among equally dense boxes the earlier, larger one stays chosen.
  bool found = false;
  for (std::size_t b = 0; b < result.trajectory.size(); ++b) {
    const auto& box = result.trajectory[b];
    if (box.coverage < min_coverage) continue;
    if (!found || box.density > result.trajectory[result.chosen].density) {
      result.chosen = b;
      found = true;
    }
  }

  if (paste_alpha > 0.0 && result.chosen > 0) {
    BoxState box = states[result.chosen];
    for (;;) {
      const auto inside = engine.members(box);
      const Move paste = engine.best_paste(box, inside, paste_alpha);
      if (!paste.valid) break;
      engine.apply_paste(box, paste);
    }
    result.trajectory[result.chosen] = engine.summarize(box);
  }
  return result;
}

std::string describe(const PrimBox& box, const std::vector<PrimFactor>& factors) {
  std::string rule;
  for (const auto& restriction : box.restrictions) {
    const auto& factor = factors.at(static_cast<std::size_t>(restriction.factor));
    std::string condition;
    if (factor.discrete) {
      condition = factor.name + " in {";
      for (std::size_t v = 0; v < restriction.allowed.size(); ++v) {
        if (v > 0) condition += ", ";
        condition += format_value(restriction.allowed[v]);
      }
      condition += "}";
    } else {
      const bool has_low = restriction.low != -infinity;
      const bool has_high = restriction.high != infinity;
      if (has_low && has_high) {
        condition = format_number(restriction.low) + " <= " + factor.name +
                    " <= " + format_number(restriction.high);
      } else if (has_low) {
        condition = factor.name + " >= " + format_number(restriction.low);
      } else if (has_high) {
        condition = factor.name + " <= " + format_number(restriction.high);
      } else {
        continue;
      }
    }
    if (!rule.empty()) rule += " and ";
    rule += condition;
  }
  if (rule.empty()) rule = "always";
  return rule + ": coverage " + format_number(box.coverage) + ", density " +
         format_number(box.density);
}

}  // namespace tenderlab::analysis
