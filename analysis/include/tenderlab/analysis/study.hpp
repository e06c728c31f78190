#pragma once
// Study files (format "tenderlab-study/1"): a base scenario, factors that change it through JSON
// Pointers, an experimental design, replications with common random numbers and the KPIs to keep.
// Parsed and validated once; expanded into the runs of the study. Format: docs/study-format.md.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/designs.hpp"
#include "tenderlab/analysis/run_pool.hpp"

namespace tenderlab::analysis {

inline constexpr const char* study_format = "tenderlab-study/1";

struct StudyFactor {
  std::string name;
  std::string path;                    ///< JSON Pointer into the scenario
  std::vector<nlohmann::json> values;  ///< discrete factor: its values
  double min = 0, max = 0;             ///< numeric factor: its range
  bool integer = false;                ///< numeric factor rounded to whole numbers
  bool discrete() const { return !values.empty(); }
};

enum class DesignKind { grid, lhs, oat, morris, sobol };
const char* to_string(DesignKind kind);

struct DesignSpec {
  DesignKind kind = DesignKind::grid;
  int levels = 3;    ///< grid and one-at-a-time: levels of numeric factors; morris: grid levels
  int samples = 50;  ///< lhs: points; sobol: base samples n (n*(k+2) points)
  int trajectories = 10;  ///< morris
};

/// The run outcome that counts as "the call fails" for probabilities and scenario discovery.
struct OutcomeSpec {
  std::string kpi = "awarded";
  std::string op = "==";  ///< one of <, <=, ==, !=, >=, >
  double value = 0;
  bool holds(double kpi_value) const;
  std::string describe() const;
};

/// Parses "KPI OP VALUE" (e.g. "bids_round_1 >= 1"; spaces optional around OP). Throws
/// InputError naming `origin` when the text is not of that form.
OutcomeSpec parse_outcome(const std::string& text, const std::string& origin);

struct Study {
  std::string file;  ///< as given
  std::string name;
  std::string description;
  std::string base_reference;  ///< the base scenario as the study file names it
  std::string base_path;       ///< resolved against the study file's folder
  nlohmann::json base;         ///< base scenario with the study's fixed changes applied
  std::string base_sha256;     ///< of the base scenario file
  std::string study_sha256;    ///< of the study file
  std::vector<StudyFactor> factors;
  DesignSpec design;
  int replications = 1;
  std::uint64_t seed = 1;         ///< master seed; replication r uses (seed, r) at every point
  std::vector<std::string> kpis;  ///< empty: every KPI of the run report
  OutcomeSpec outcome;
  std::vector<std::string> keep_event_logs;  ///< run ids whose events.jsonl is kept ("*": all)
  std::string database;                      ///< default: <study name>.sqlite beside the study file
  std::string events_dir;  ///< kept event logs: <database without extension>-events/
};

/// Parses and validates a study file, including the base scenario at the corners of the design
/// space. Throws InputError listing every problem with its JSON Pointer.
Study load_study(const std::string& path);

/// Uses another results database; kept event logs follow it.
void set_database(Study& study, const std::string& database);

/// One design point: factor values in the order of study.factors.
struct DesignPoint {
  std::vector<nlohmann::json> values;
  std::vector<double> unit;  ///< the point in the unit cube
};

/// The design's points, deterministic from the study's seed.
std::vector<DesignPoint> design_points(const Study& study);
/// The design as the statistics functions need it (Morris and Sobol re-create their structure).
MorrisDesign morris_structure(const Study& study);
SaltelliDesign saltelli_structure(const Study& study);

/// The base scenario with a point's factor values applied.
nlohmann::json scenario_at(const Study& study, const DesignPoint& point);

std::string run_id(int point, int replication);

/// The runs of the study: points x replications, each with its patched scenario in the payload
/// (keys "scenario", "origin", "kpis", "events_file": where to keep its event log, or null).
std::vector<RunTask> expand_study(const Study& study);

}  // namespace tenderlab::analysis
