#pragma once
// Tidy tables of what a results database holds, for R, pandas or a spreadsheet
// (docs/export.md): runs.csv, one row per run, and effects.csv, one row per clause that kept an
// agent away from a failed round. Both are built from the database alone, rows and columns in a
// fixed order, so the same database gives the same bytes.
#include <string>

#include "tenderlab/analysis/results_store.hpp"

namespace tenderlab::analysis {

/// runs.csv: run_id, point, replication, seed, status, then one column per factor (sorted by
/// name), then one per KPI any run recorded (sorted by name); a factor named like another column
/// is headed "factor.NAME", a KPI named like a fixed column "kpi.NAME". Empty cells: no value.
std::string runs_csv(ResultsStore& store);

/// effects.csv: run_id, call, round, agent, role, clause, effect_bn_krw, in that order of rows.
std::string effects_csv(ResultsStore& store);

}  // namespace tenderlab::analysis
