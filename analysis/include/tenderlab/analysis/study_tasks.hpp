// What a study file expands to, as the runners need it: the list of runs and what the results
// database records about the study. `tenderlab study` and `tenderlab-mpi` both call these, so a
// study run on one machine and one run across a cluster write the same database content.
//
// Declared here and implemented with the study layer (analysis/src/study_tasks.cpp); tenderlab-mpi
// accepts a study file only when that source is part of the build.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"

namespace tenderlab::analysis {

/// Every run of the study, in a fixed order (points, then replications), each with a stable
/// run_id, its seed and the payload the run function needs. Throws on an invalid study file.
/// `database`, when given, replaces the study's own; kept event logs then go beside it.
std::vector<RunTask> load_study_tasks(const std::string& study_file,
                                      const std::string& database = "");

/// What the results database records about a study besides its runs.
struct StudySetup {
  /// Where the study's results go unless the user names another file.
  std::string database_path;
  /// Rows of the `study` table: name, SHA-256 of the study file, ... (not `created_at`, which the
  /// store writes itself).
  std::map<std::string, std::string> meta;
  /// Rows of the `points` table: each design point's factor values.
  std::vector<PointRecord> points;
};

StudySetup load_study_setup(const std::string& study_file);

}  // namespace tenderlab::analysis
