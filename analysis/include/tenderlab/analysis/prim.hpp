#pragma once
// Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999).
//
// Given the factor values of many runs and a 0/1 outcome per run (e.g. "the call failed"), PRIM
// looks for a box, a conjunction of simple conditions on the factors, inside which the outcome is
// much more frequent than overall: a rule a policy maker can read ("when the public equity share
// is above 0.42 and buy-back is on, the call almost always fails").
#include <cstddef>
#include <string>
#include <vector>

namespace tenderlab::analysis {

/// A factor as PRIM treats it: numeric factors are restricted to an interval, discrete factors to
/// a subset of their values.
struct PrimFactor {
  std::string name;
  bool discrete = false;
};

/// One condition of a box, on factor `factor` (an index into the factor list).
///
/// Numeric factors: low <= x <= high, both inclusive; an unrestricted side is -inf or +inf.
/// Discrete factors: x is one of `allowed` (sorted ascending); low and high are -inf and +inf.
struct PrimRestriction {
  int factor = 0;
  double low = 0.0;
  double high = 0.0;
  std::vector<double> allowed;
};

/// A box and how it does on the data. Only restricted factors appear in `restrictions`, in factor
/// order; a box without restrictions contains everything.
struct PrimBox {
  std::vector<PrimRestriction> restrictions;
  /// Share of all positive outcomes that fall inside the box (0 when there are no positives).
  double coverage = 0.0;
  /// Share of positive outcomes among the points inside the box.
  double density = 0.0;
  /// Share of all points that fall inside the box.
  double support = 0.0;
  /// Number of points inside the box.
  std::size_t points = 0;
};

struct PrimResult {
  /// Peeling trajectory: box 0 is the whole data set, each next box is the previous one with one
  /// peel removed. trajectory[chosen] is the chosen box after pasting (see `prim`), so it may be
  /// slightly larger than the peeled box it replaces.
  std::vector<PrimBox> trajectory;
  std::size_t chosen = 0;
  /// Share of positive outcomes in the whole data set.
  double base_density = 0.0;
};

/// Runs PRIM on inputs x (x[i][j] = actual value of factor j in run i, not unit coordinates) and
/// outcomes y (0 or 1).
///
/// Peeling: at each step every candidate peel is tried, namely removing the lowest or the highest
/// `peel_alpha` share of the box's points along a numeric factor (at least one point; tied values
/// go together), or removing one value of a discrete factor. The peel with the highest density
/// gain per point removed wins (Friedman & Fisher's criterion for peels of unequal size; for
/// numeric peels, which all remove the same number of points unless values are tied, this is the
/// peel leaving the highest density), ties going to the lowest factor index, then the low side
/// before the high side, then the lowest discrete value. Peels that would leave less than
/// `min_support` of all points are not allowed; peeling stops when none is left or the box holds no
/// negative outcome.
///
/// Choice: the box of highest density among those with coverage >= `min_coverage` (ties going to
/// the earlier, larger box); box 0 if no box qualifies.
///
/// Pasting: the chosen box is then widened step by step, adding back `paste_alpha` of its points
/// along one restricted side or one removed discrete value, as long as this does not lower the
/// density (the densest paste wins, ties as for peeling). paste_alpha = 0 turns pasting off.
///
/// Throws std::invalid_argument on inconsistent sizes, outcomes other than 0/1, no data, or
/// parameters out of range (peel_alpha in (0, 1), min_support and min_coverage in [0, 1],
/// paste_alpha in [0, 1)).
PrimResult prim(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                const std::vector<PrimFactor>& factors, double peel_alpha = 0.05,
                double min_support = 0.05, double min_coverage = 0.5, double paste_alpha = 0.01);

/// A readable rule for a box, e.g.
/// `public_equity_share >= 0.42 and buy_back in {1}: coverage 0.91, density 0.97`.
/// Numbers have two decimals (discrete values that are whole numbers are printed as such); a
/// numeric factor restricted on both sides reads `0.20 <= name <= 0.50`; an unrestricted box reads
/// `always`.
std::string describe(const PrimBox& box, const std::vector<PrimFactor>& factors);

}  // namespace tenderlab::analysis
