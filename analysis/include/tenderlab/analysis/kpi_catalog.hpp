#pragma once
// The KPI names a run reports (RunReport::kpis), known before anything runs: the fixed ones and
// those a scenario's calls, horizon and calibration targets give. A study names KPIs in its
// `kpis` list and its `outcome`; a name no run can report would be stored as NULL in every run,
// so studies are checked against this catalogue before the first run.
#include <string>
#include <vector>

#include "tenderlab/engine/scenario.hpp"

namespace tenderlab::analysis {

struct KpiInfo {
  std::string name;
  std::string unit;     ///< "count", "0/1", "round", "GPUs", "MW", "share", "bn KRW", "value"
  std::string meaning;  ///< one line
};

/// Every KPI name a run of `scenario` can report, in a stable order: per call (by announcement
/// date, then file order), the first call's names without prefix, then the programme's and the
/// calibration targets'. Round-numbered names go up to the most rounds the call can have (its
/// scripted rounds, or its adaptive rule's max_rounds).
std::vector<KpiInfo> kpi_catalog(const Scenario& scenario);

/// The catalogue's patterns, for when no scenario is given: CALL, N and YEAR stand for a call id,
/// a round number and a year.
std::vector<KpiInfo> kpi_patterns();

/// The unit of any KPI name a run reports ("CALL.bids_round_3", "gpus_online_end_2028", ...), as
/// the catalogue gives it; "" for a name no run reports.
std::string kpi_unit(const std::string& name);

/// The closest name in `names` to `name` (edit distance), or "" when none is close enough to be
/// what was meant.
std::string closest_name(const std::string& name, const std::vector<std::string>& names);

}  // namespace tenderlab::analysis
