#pragma once
// An SPC's contract settled on its measured operations: what compute use measured on its GPUs,
// month by month, turned into the operating margins the contract's waterfall runs on.
//
// Pure functions, no engine. docs/model/compute-use.md ("Settling the contract on the outturn").
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tenderlab/engine/spc_measure.hpp"

namespace tenderlab {

/// The margins (bn KRW, one per operating year of the contract, `expected.size()`) the contract's
/// waterfall is settled on: measured year j's margin where measured, the outlook's `expected`
/// margin elsewhere. With `delayed`, the waterfall's first operating year is the one the delay
/// lost, so measured year j is the waterfall's year j + 1 and year 0 keeps the outlook's margin
/// (what the delay cost, for damages). Measured years beyond the contract are left out.
std::vector<double> settlement_margins(const std::vector<double>& expected,
                                       const std::vector<MeasuredOperations>& measured,
                                       double om_per_year, std::int64_t gpus, bool delayed);

/// The line of a CashFlowStatement (years from the signing) that holds measured operating year
/// `measured_year` (0 for the first twelve months online).
std::size_t settlement_line(int build_years, int measured_year, bool delayed);

}  // namespace tenderlab
