#pragma once
// The commands of the tenderlab program. Each returns its exit code (docs/cli.md):
//   0 success, 1 a model or run error (the simulation failed), 2 bad input or usage,
//   130 interrupted.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"

namespace tenderlab::app {

enum ExitCode : int { ok = 0, run_failed = 1, bad_input = 2, interrupted = 130 };

struct RunArguments {
  std::string scenario;
  /// Instead of a scenario: a results database and the id of a run it records; the run is
  /// rebuilt from the database and must reproduce its recorded event-log hash.
  std::vector<std::string> from;
  /// Overrides "POINTER=VALUE" applied to the scenario, in order (recorded in the manifest).
  std::vector<std::string> set;
  std::optional<std::uint64_t> seed;  ///< default: the scenario's seed
  std::uint64_t replication = 0;
  std::string out;  ///< default: runs/<scenario name>
  bool force = false;
  bool verbose = false;
  bool quiet = false;  ///< no timeline on stdout
  std::string json;    ///< also write the manifest and summary as JSON here ("-": stdout)
  std::vector<std::string> simgrid_args;
};

struct StudyArguments {
  std::string study;
  int jobs = 1;
  std::string database;  ///< default: the study's
  std::string json;      ///< also write the report as JSON here
  bool quiet = false;
  bool retry_failed = false;  ///< run failed runs again (crashed ones always are)
  bool dry_run = false;       ///< check the study and say what would run; run nothing
  /// Without a terminal (a batch job's log): how often a progress line is printed.
  analysis::ProgressLines progress;
};

/// `set`: overrides "POINTER=VALUE" applied to every file before it is checked; `json`: also
/// write the results as JSON there ("-": standard output).
int validate_command(const std::vector<std::string>& files, bool quiet,
                     const std::vector<std::string>& set = {}, const std::string& json = "");
int run_command(const RunArguments& arguments);
/// What `tenderlab params` prints: a listing, docs/parameters.md, the scenario JSON Schema or
/// the tables as JSON.
enum class ParamsOutput { text, markdown, schema, json };
/// `json_file`: where the JSON goes (ParamsOutput::json; "" or "-": standard output).
int params_command(ParamsOutput output, const std::string& json_file = "");
/// Lists the registered agent kinds and their roles (as JSON with `json`).
int kinds_command(bool json);
/// The KPI names a run of `scenario` reports, with unit and meaning; without a scenario, the
/// names' patterns (CALL, N, YEAR). `json`: as a JSON array.
int kpis_command(const std::string& scenario, bool json);
/// runs.csv and effects.csv of a results database into `out` (default: beside the database,
/// <database without extension>-export/), each written whole (docs/export.md).
int export_command(const std::string& database, const std::string& out);
int study_command(const StudyArguments& arguments);
/// `outcome` ("KPI OP VALUE"), when given, replaces the study's outcome for the analysis.
int report_command(const std::string& study_file, const std::string& database,
                   const std::string& json, bool digest_only, const std::string& outcome);
/// `tenderlab report`: the text analysis of a study, and the HTML page and XLSX workbook of a
/// study, a run folder or a comparison's JSON (docs/html-report.md).
struct ReportArguments {
  std::string input;  ///< study file, run folder (or its manifest.json), or `compare --json` output
  std::string database;
  std::string json;
  std::string outcome;
  bool digest = false;
  std::string html;                  ///< write the HTML report here
  std::string xlsx;                  ///< write the XLSX workbook here
  std::vector<std::string> heatmap;  ///< the two factors of a study's heatmap
};
int report_files_command(const ReportArguments& arguments);
/// Re-runs the run a manifest describes; with `verify`, checks its event-log hash (exit 1 if not).
int replay_command(const std::string& manifest, bool verify);
/// Shows the first event where two runs diverge (exit 0 identical, 1 different).
int diff_command(const std::string& run_a, const std::string& run_b);

struct CompareArguments {
  std::vector<std::string> inputs;  ///< scenario files, or results databases of studies
  int replications = 30;
  std::optional<std::uint64_t> seed;
  int jobs = 1;
  std::string json;
  std::string html;               ///< also write the comparison as an HTML report
  std::string xlsx;               ///< and as an XLSX workbook
  std::vector<std::string> kpis;  ///< only these KPIs, in this order (default: every KPI once)
  bool quiet = false;
  std::vector<std::string> set;  ///< overrides "POINTER=VALUE" applied to every scenario
  /// A calibration file: every scenario runs at each of its accepted draws, `replications` times.
  std::string parameter_sets;
  /// Without a terminal (a batch job's log): how often a progress line is printed.
  analysis::ProgressLines progress;
};
/// KPIs side by side with paired differences and 95 % confidence intervals.
int compare_command(const CompareArguments& arguments);

struct CalibrateArguments {
  std::string scenario;
  int draws = 80;          ///< Latin hypercube points
  int replications = 8;    ///< seeds per draw
  double min_match = 0.9;  ///< acceptance threshold on a draw's share of matching runs
  int jobs = 1;
  std::string out;                    ///< default: runs/<scenario name>-calibration
  std::optional<std::uint64_t> seed;  ///< default: the scenario's
  std::vector<std::string> only;      ///< only these parameters (default: every assumed one)
  bool quiet = false;
  bool dry_run = false;
  analysis::ProgressLines progress;
};
/// Approximate Bayesian computation over the scenario's assumed parameters: writes
/// calibration.json and draws.csv into the output folder (docs/calibration-format.md).
int calibrate_command(const CalibrateArguments& arguments);

/// Opens a study's results database as its only writer, binds it to the study file and records
/// its design points; throws analysis::DatabaseRefusedError for a database that holds another
/// study's runs or that another process is writing to.
std::unique_ptr<analysis::ResultsStore> open_study_store(const std::string& study_file,
                                                         const std::string& database);

/// Serves runs on stdin/stdout for tenderlab-mpi (JSON Lines); kept event logs may go only into
/// `events_dir` (none when empty).
int worker_command(const std::string& events_dir);

}  // namespace tenderlab::app
