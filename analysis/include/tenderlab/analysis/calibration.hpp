#pragma once
// Calibration by approximate Bayesian computation (rejection): the assumed parameters of a
// scenario are drawn from their plausible ranges (the parameter tables' `assumed` rows) by a Latin
// hypercube, each draw is run with several seeds as a study, and a draw is accepted when the share
// of its runs that reproduce the scenario's /history reaches a threshold. The accepted draws are
// the parameter sets `tenderlab study` and `tenderlab compare` can run over.
// Format of the result: docs/calibration-format.md.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/study.hpp"

namespace tenderlab::analysis {

inline constexpr const char* calibration_format = "tenderlab-calibration/1";
/// The calibration JSON Schema's `$id` (scenarios/schema/calibration.schema.json).
inline constexpr const char* calibration_schema_id = "urn:tenderlab:schema:calibration:1";
/// The KPI a run reports 1 in when it reproduces every round of the scenario's /history.
inline constexpr const char* calibration_match_kpi = "history_match";

/// One parameter of the scenario: where it is, its prior (uniform on the table's plausible range)
/// and its value in the scenario.
struct CalibratedParameter {
  std::string name;   ///< "assumptions/score_temperature", "agents/kt/bid_cost_bn_krw"
  std::string path;   ///< JSON Pointer into the scenario: "/assumptions/score_temperature"
  std::string table;  ///< the parameter table of its row
  std::string key;
  std::string unit;
  std::string provenance;  ///< "assumed" for drawn parameters; "sourced" or "setting" otherwise
  std::string basis;
  double min = 0, max = 0;  ///< the plausible range (drawn parameters)
  bool integer = false;
  nlohmann::json scenario_value;  ///< the scenario's value, or the table's default
};

/// The scenario-level parameters of `scenario` (a scenario document): every row of the
/// `assumptions` table (at /assumptions) and of the `beliefs` table (at /market) that the
/// scenario's calls read, with `drawn` telling apart the assumed rows with a plausible range
/// (which calibrate draws) and the sourced rows and settings (which it lists). Rows whose meaning
/// starts with "Procurement:" count only when the scenario has a procurement call.
struct ScenarioParameters {
  std::vector<CalibratedParameter> drawn;
  std::vector<CalibratedParameter> fixed;
};
ScenarioParameters scenario_parameters(const nlohmann::json& scenario);

/// The parameters to draw: `only` empty, every drawn scenario-level parameter; otherwise the
/// named ones, in the order given, each a drawn scenario-level name ("assumptions/KEY",
/// "market/KEY", or the bare KEY when only one of them has it) or an agent's assumed key with a
/// finite range ("agents/ID/KEY"). Throws InputError naming `origin` for an unknown or repeated
/// name, or when nothing is left to draw.
std::vector<CalibratedParameter> calibration_parameters(const nlohmann::json& scenario,
                                                        const std::vector<std::string>& only,
                                                        const std::string& origin);

/// Creates the missing objects on the way to `pointer` (object members only, never array
/// elements), so that set_at_pointer can set it: a scenario without /assumptions takes its
/// defaults, and an empty object there means the same. Returns false when the way goes through
/// something that is not an object or through a missing array element.
bool ensure_parent_objects(nlohmann::json& document, const std::string& pointer);

struct CalibrationSettings {
  int draws = 80;                 ///< Latin hypercube points
  int replications = 8;           ///< seeds per draw
  double min_match = 0.9;         ///< acceptance: share of a draw's runs matching the history
  std::uint64_t seed = 1;         ///< master seed of the design and the runs
  std::vector<std::string> only;  ///< restrict the drawn parameters (calibration_parameters)
};

/// The study file that runs a calibration: the scenario (`scenario_reference`, as the study file
/// names it, relative to the study file's folder), a factor per parameter with its range, a Latin
/// hypercube of `draws` points, `replications` seeds each, every KPI kept, and the missing parent
/// objects of the parameters' paths created by `fixed` changes.
nlohmann::ordered_json calibration_study_document(
    const nlohmann::json& scenario, const std::string& scenario_reference,
    const std::vector<CalibratedParameter>& parameters, const CalibrationSettings& settings);

/// One draw's runs as the acceptance sees them.
struct DrawRuns {
  std::size_t runs = 0;          ///< runs recorded ok or failed
  std::size_t matches = 0;       ///< runs with history_match == 1
  std::size_t bids_matches = 0;  ///< runs with every /history bid count reproduced
  std::size_t failed = 0;        ///< runs recorded failed (count as not matching)
};

/// ABC rejection: a draw is accepted when matches / replications >= min_match (and it has runs).
bool accept_draw(const DrawRuns& draw, int replications, double min_match);

/// Quantiles (linear interpolation between order statistics, type 7) and mean of `values`.
struct Marginal {
  double q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0, mean = 0;
};
Marginal marginal_of(std::vector<double> values);
/// The uniform prior on [min, max]'s quantiles and mean.
Marginal uniform_marginal(double min, double max);
/// Kolmogorov-Smirnov distance between the empirical distribution of `values` and the uniform
/// distribution on [min, max] (0 when `values` is empty).
double ks_distance_uniform(std::vector<double> values, double min, double max);

/// "identified": the accepted draws differ from the prior (KS test at 5 %: distance above
/// 1.36 / sqrt(accepted)) and their interquartile range is at most 0.6 of the prior's;
/// "constrained": they differ from the prior but are not that much narrower (part of the range is
/// ruled out); "not identified" otherwise, and when fewer than 5 draws were accepted.
std::string identification(double ks_distance, double iqr_ratio, std::size_t accepted);

/// The calibration file's content (docs/calibration-format.md) from a run study and its results.
/// `scenario_file` and `scenario_sha256` name the calibrated scenario; `parameters` are the drawn
/// ones (the study's factors, in order), `fixed` the scenario-level parameters not drawn.
nlohmann::ordered_json calibration_document(const Study& study, ResultsStore& store,
                                            const std::string& scenario_file,
                                            const std::string& scenario_sha256,
                                            const nlohmann::json& scenario,
                                            const std::vector<CalibratedParameter>& parameters,
                                            const std::vector<CalibratedParameter>& fixed,
                                            const CalibrationSettings& settings);

/// The draws as CSV: draw, one column per parameter, runs, matches, match_rate, accepted.
std::string calibration_draws_csv(const nlohmann::ordered_json& calibration);

/// The accepted draws of a calibration file, as `study` and `compare` run over them.
struct ParameterSets {
  std::string file;
  std::string sha256;           ///< of the calibration file
  std::string scenario_file;    ///< the scenario it was made for, as it names it
  std::string scenario_sha256;  ///< that scenario file's SHA-256
  std::vector<std::string> names;
  std::vector<std::string> paths;  ///< JSON Pointers, one per parameter
  std::vector<int> draws;          ///< the accepted draws' indices
  /// values[s][j]: accepted set s, parameter j.
  std::vector<std::vector<nlohmann::json>> values;
  std::size_t size() const { return values.size(); }
  /// Set `index` as changes to a scenario: [{"path", "value"}, ...].
  nlohmann::json patch(std::size_t index) const;
  /// The sets as recorded in a results database (paths, draws, values), to rebuild a run.
  nlohmann::json compact() const;
};

/// Reads the accepted draws of a calibration file. Throws InputError naming the file and the JSON
/// Pointer of every problem, or when no draw was accepted.
ParameterSets load_parameter_sets(const std::string& path);
/// The same from what ParameterSets::compact() wrote.
ParameterSets parameter_sets_from_compact(const nlohmann::json& compact);

/// Refuses (InputError naming `origin`) parameter sets made for another scenario file than the one
/// whose SHA-256 is `scenario_sha256`.
void check_parameter_sets_scenario(const ParameterSets& sets, const std::string& scenario_file,
                                   const std::string& scenario_sha256, const std::string& origin);

}  // namespace tenderlab::analysis
