#pragma once
// Experimental designs for studies: which factor settings to run.
//
// Every design returns points in the unit hypercube [0, 1]^k; `points[i][j]` is the coordinate of
// factor j in point i. The study code maps a coordinate u to a factor value as follows (see
// `unit_to_value` and `unit_to_level`):
//   - a numeric factor with range [min, max] takes the value min + u * (max - min);
//   - a discrete factor with L values takes the value with index min(L - 1, floor(u * L)).
// Keeping designs in unit coordinates lets one design serve any scenario and keeps the sampling
// code free of factor types.
#include <cmath>
#include <cstddef>
#include <optional>
#include <vector>

#include "tenderlab/engine/rng.hpp"

namespace tenderlab::analysis {

using UnitPoints = std::vector<std::vector<double>>;

/// A numeric factor's value for the unit coordinate u.
inline double unit_to_value(double u, double min, double max) {
  return min + u * (max - min);
}

/// The index of a discrete factor's value for the unit coordinate u, among `levels` values.
inline int unit_to_level(double u, int levels) {
  const int index = static_cast<int>(std::floor(u * levels));
  if (index < 0) return 0;
  return index < levels ? index : levels - 1;
}

/// How a design sees a factor. For a discrete factor `levels` is its number of values; for a
/// numeric factor it is the number of evenly spaced grid levels used by the grid and
/// one-at-a-time designs (other designs ignore it).
struct FactorShape {
  bool discrete = false;
  int levels = 0;
};

/// Full factorial design: every combination of levels, the last factor varying fastest. A
/// discrete factor's level i sits at u = (i + 0.5) / L, the middle of its stratum, so it maps back
/// to value i; a numeric factor's level i sits at u = i / (L - 1), covering both ends of its range
/// (u = 0.5 when L == 1). Throws std::invalid_argument if a factor has fewer than one level and
/// std::length_error if the number of points does not fit in std::size_t.
UnitPoints grid_design(const std::vector<FactorShape>& factors);

/// The number of points of grid_design(factors): the product of the factors' levels (0 without
/// factors), or nothing when that product does not fit in std::size_t. Throws
/// std::invalid_argument if a factor has fewer than one level.
std::optional<std::size_t> grid_size(const std::vector<FactorShape>& factors);

/// Point `index` of grid_design(factors), in [0, grid_size(factors)), computed without the others:
/// large grids need not be held in memory. Throws std::out_of_range for an index past the end.
std::vector<double> grid_point(const std::vector<FactorShape>& factors, std::size_t index);

/// Latin hypercube of n points in k dimensions: in every dimension each of the n strata
/// [s/n, (s+1)/n) holds exactly one point, placed uniformly at random inside its stratum.
UnitPoints latin_hypercube(int n, int k, Rng& rng);
/// The same points, row after row in one array (point i's coordinates at [i * k, (i + 1) * k)):
/// a large design without a vector per point. Draws exactly what latin_hypercube draws.
std::vector<double> latin_hypercube_flat(int n, int k, Rng& rng);

/// One-factor-at-a-time design: the centre point first (u = 0.5 for numeric factors, the middle
/// level (L - 1) / 2 rounded down for discrete ones), then, factor by factor, the centre point with
/// that factor moved to each of its levels (placed as in `grid_design`), skipping the level equal
/// to the centre. Throws std::invalid_argument if a factor has fewer than one level.
UnitPoints one_at_a_time(const std::vector<FactorShape>& factors);

/// The number of points of one_at_a_time(factors), or nothing when it does not fit in
/// std::size_t. Throws std::invalid_argument if a factor has fewer than one level.
std::optional<std::size_t> one_at_a_time_size(const std::vector<FactorShape>& factors);

/// Morris (1991) elementary-effects design.
struct MorrisDesign {
  int factors = 0;
  int trajectories = 0;
  int levels = 0;
  /// Step size, levels / (2 * (levels - 1)).
  double delta = 0.0;
  /// (factors + 1) * trajectories rows; trajectory t occupies rows t * (factors + 1) to
  /// t * (factors + 1) + factors, and row s + 1 differs from row s in factor order[t][s] only.
  UnitPoints points;
  /// Per trajectory, the factor that moves at step s.
  std::vector<std::vector<int>> order;
  /// Per trajectory, the direction of step s: +1 (factor increases by delta) or -1.
  std::vector<std::vector<int>> sign;
};

/// A Morris design of `trajectories` random trajectories through a grid of `levels` levels
/// {0, 1/(levels-1), ..., 1} in k factors. Each trajectory starts from a random base point on the
/// grid, visits the factors in a random order and moves each once, up or down at random, by delta;
/// base points are drawn so that every step stays in [0, 1]. With an even number of levels (the
/// usual choice, e.g. 4) every point lies on the grid. Throws std::invalid_argument if k < 1,
/// trajectories < 1 or levels < 2.
MorrisDesign morris_design(int k, int trajectories, int levels, Rng& rng);

/// Saltelli design for Sobol indices.
///
/// Rows, n*(k+2) in all: matrix A (rows 0 to n-1), matrix B (rows n to 2n-1), then for each factor
/// i = 0..k-1 the matrix AB_i, which is A with column i taken from B (rows (2+i)*n to
/// (3+i)*n - 1). Row r of every block uses the same base sample r.
struct SaltelliDesign {
  int base_samples = 0;
  int factors = 0;
  UnitPoints points;
};

/// A Saltelli design on n base samples in k factors. A and B are independent Latin hypercubes,
/// which lowers the variance of the estimators against plain random sampling. Throws
/// std::invalid_argument if n < 2 or k < 1.
SaltelliDesign saltelli_design(int n, int k, Rng& rng);

}  // namespace tenderlab::analysis
