#pragma once
// What a study's results say: per design point, mean and 95 % confidence interval of each KPI and
// the probability of the study's outcome (e.g. "the call fails"); the distribution of bidders per
// round; Morris and Sobol sensitivity indices for those designs; and scenario discovery with PRIM.
// Reads the results database only.
#include <string>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/study.hpp"

namespace tenderlab::analysis {

struct StudyReport {
  nlohmann::ordered_json data;  ///< everything, for --json and further processing
  std::string text;             ///< the readable summary printed at the end of a study
};

StudyReport report_study(const Study& study, ResultsStore& store);

/// A factor value as a number for statistics and PRIM: numbers as they are, booleans 0/1, other
/// values by their index among the factor's values.
double numeric_value(const StudyFactor& factor, const nlohmann::json& value);

}  // namespace tenderlab::analysis
