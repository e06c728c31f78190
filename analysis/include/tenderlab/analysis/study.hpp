#pragma once
// Study files (format "tenderlab-study/1"): a base scenario, factors that change it through JSON
// Pointers, an experimental design, replications with common random numbers and the KPIs to keep.
// Parsed and validated once; expanded into the runs of the study. Format: docs/study-format.md.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/designs.hpp"
#include "tenderlab/analysis/run_pool.hpp"

namespace tenderlab::analysis {

inline constexpr const char* study_format = "tenderlab-study/1";

struct ParameterSets;  // calibration.hpp

/// The most runs (design points x replications) a study may have. A study is a list of runs in a
/// results database that is analysed in memory; beyond a million runs both become unwieldy, and a
/// typing slip in a design (a grid of 1000 levels) should stop before anything starts.
inline constexpr std::size_t max_study_runs = 1'000'000;

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
  /// The study file's JSON in canonical form (keys sorted, no spaces): what a resumed study is
  /// compared with, key by key, to say what changed.
  std::string study_json;
  std::vector<StudyFactor> factors;
  DesignSpec design;
  /// Runs per design point: the study file's replications, times the number of parameter sets
  /// when it runs over a calibration's accepted draws.
  int replications = 1;
  /// The calibration file whose accepted draws every point runs at (`parameter_sets`), as the
  /// study file names it and resolved against its folder; empty: none.
  std::string parameter_sets_reference;
  std::string parameter_sets_path;
  /// Its accepted draws; replication r runs draw r % size() (so that more replications resume).
  std::shared_ptr<const ParameterSets> parameter_sets;
  std::uint64_t seed = 1;         ///< master seed; replication r uses (seed, r) at every point
  std::vector<std::string> kpis;  ///< empty: every KPI of the run report
  OutcomeSpec outcome;
  std::vector<std::string> keep_event_logs;  ///< run ids whose events.jsonl is kept ("*": all)
  std::string database;                      ///< default: <study name>.sqlite beside the study file
  std::string events_dir;  ///< kept event logs: <database without extension>-events/
  std::size_t points = 0;  ///< design points; points x replications <= max_study_runs
};

/// Parses and validates a study file, including the base scenario at the corners of the design
/// space and the size of the design (at most max_study_runs runs). Throws InputError listing every
/// problem with its JSON Pointer.
Study load_study(const std::string& path);

/// Uses another results database; kept event logs follow it.
void set_database(Study& study, const std::string& database);

/// The folder of the kept event logs of the runs recorded in `database`: the database's path
/// without its extension, followed by "-events".
std::string kept_events_dir(const std::string& database);

/// One design point: factor values in the order of study.factors.
struct DesignPoint {
  std::vector<nlohmann::json> values;
  std::vector<double> unit;  ///< the point in the unit cube
};

/// A study's design, generated once and held compactly: a grid computes each point from its
/// index, other designs keep their unit coordinates only (factors x points numbers). Points are
/// built one at a time, so a large design does not hold a JSON value per factor and point.
class StudyDesign {
 public:
  /// Generates the design of `study`, which must outlive this object; deterministic from the
  /// study's seed.
  explicit StudyDesign(const Study& study);

  std::size_t size() const { return size_; }
  /// Point `index`, in [0, size()); the same point every time.
  DesignPoint point(std::size_t index) const;

 private:
  const Study* study_;
  std::size_t size_ = 0;
  std::vector<FactorShape> grid_;  ///< grid design: the shapes its points are computed from
  std::vector<double> unit_;       ///< other designs: point i's coordinates at [i * k, (i + 1) * k)
};

/// The design's points, deterministic from the study's seed. Holds every point at once: for
/// analyses; runners use StudyDesign.
std::vector<DesignPoint> design_points(const Study& study);
/// The design as the statistics functions need it (Morris and Sobol re-create their structure).
MorrisDesign morris_structure(const Study& study);
SaltelliDesign saltelli_structure(const Study& study);

/// The base scenario with a point's factor values applied.
nlohmann::json scenario_at(const Study& study, const DesignPoint& point);

/// Sets `value` at the JSON Pointer `pointer` of `document`, as `fixed` changes and factors do:
/// the parent must exist, an array index must name an existing element. Returns false (and leaves
/// the document as it was) when the pointer is malformed or addresses nothing settable.
bool set_at_pointer(nlohmann::json& document, const std::string& pointer,
                    const nlohmann::json& value);

/// "p00003-r001": the run id of replication `replication` of design point `point`.
std::string run_id(int point, int replication);

}  // namespace tenderlab::analysis
