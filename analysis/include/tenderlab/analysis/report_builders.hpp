#pragma once
// Report documents (report_document.hpp) built from what tenderlab writes: a run's output folder,
// a study's results database, a comparison's JSON. They read those files only, never the
// simulation. What each report shows: docs/html-report.md.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/report_document.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/study.hpp"

namespace tenderlab::analysis {

/// The report of one run from its output folder (events.jsonl, tenders.csv, timeseries.csv,
/// summary.json, manifest.json; docs/outputs.md); `folder` may also name its manifest.json. The
/// GPUs the calls asked for come from the scenario file the manifest names, when that file is
/// found unchanged (same SHA-256) relative to the current folder. Throws InputError naming the
/// file, the place in it and what is wrong, also when events.jsonl does not match the manifest's
/// hash.
ReportDocument run_document(const std::filesystem::path& folder);

struct StudyDocumentOptions {
  /// The two factors of the outcome heatmap, by name. Empty: the factors the PRIM box restricts,
  /// then the others in the study's order.
  std::vector<std::string> heatmap_factors;
  /// Bootstrap resamples for the intervals of the sensitivity indices.
  int bootstrap_resamples = 1000;
};

/// The report of a study from its results database: outcome heatmap, PRIM box and peeling
/// trajectory, Morris or Sobol indices with bootstrap intervals, KPI distributions. Throws
/// InputError for unknown or repeated heatmap factors (pointer "--heatmap").
ReportDocument study_document(const Study& study, ResultsStore& store,
                              const StudyDocumentOptions& options);

/// Format tag of the JSON `tenderlab compare --json` writes.
inline constexpr const char* comparison_format = "tenderlab-compare/1";

/// The report of a comparison from the JSON `tenderlab compare --json` writes (format
/// "tenderlab-compare/1"); `origin` names it in errors. Throws InputError with the JSON Pointer of
/// what is missing or malformed.
ReportDocument comparison_document(const nlohmann::json& comparison, const std::string& origin);

}  // namespace tenderlab::analysis
