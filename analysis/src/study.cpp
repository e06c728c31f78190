#include "tenderlab/analysis/study.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

#include "tenderlab/analysis/calibration.hpp"
#include "tenderlab/analysis/kpi_catalog.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/rng.hpp"
#include "tenderlab/engine/scenario_loader.hpp"
#include "tenderlab/engine/sha256.hpp"

namespace tenderlab::analysis {
namespace fs = std::filesystem;

const char* to_string(DesignKind kind) {
  switch (kind) {
    case DesignKind::grid:
      return "grid";
    case DesignKind::lhs:
      return "lhs";
    case DesignKind::oat:
      return "oat";
    case DesignKind::morris:
      return "morris";
    case DesignKind::sobol:
      return "sobol";
  }
  return "?";
}

bool OutcomeSpec::holds(double v) const {
  if (op == "<") return v < value;
  if (op == "<=") return v <= value;
  if (op == "==") return v == value;
  if (op == "!=") return v != value;
  if (op == ">=") return v >= value;
  return v > value;
}

std::string OutcomeSpec::describe() const {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return kpi + " " + op + " " + buffer;
}

std::string kept_events_dir(const std::string& database) {
  fs::path events = database;
  events.replace_extension();
  return events.string() + "-events";
}

void set_database(Study& study, const std::string& database) {
  study.database = database;
  study.events_dir = kept_events_dir(database);
}

OutcomeSpec parse_outcome(const std::string& text, const std::string& origin) {
  // Longest operators first, so "<=" is not read as "<".
  for (const char* op : {"<=", ">=", "==", "!=", "<", ">"}) {
    const auto at = text.find(op);
    if (at == std::string::npos) continue;
    auto trim = [](const std::string& part) {
      const auto first = part.find_first_not_of(" \t");
      const auto last = part.find_last_not_of(" \t");
      return first == std::string::npos ? std::string() : part.substr(first, last - first + 1);
    };
    OutcomeSpec outcome;
    outcome.kpi = trim(text.substr(0, at));
    outcome.op = op;
    const std::string number = trim(text.substr(at + std::string(op).size()));
    char* end = nullptr;
    outcome.value = std::strtod(number.c_str(), &end);
    const bool clean_name =
        !outcome.kpi.empty() &&
        outcome.kpi.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
            std::string::npos;
    if (clean_name && !number.empty() && end && *end == '\0') return outcome;
    break;
  }
  throw InputError({InputProblem{
      origin, "",
      "an outcome such as \"bids_round_1 >= 1\" (KPI, one of < <= == != >= >, a number)",
      describe_json(text)}});
}

std::string run_id(int point, int replication) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "p%05d-r%03d", point, replication);
  return buffer;
}

bool set_at_pointer(nlohmann::json& document, const std::string& pointer,
                    const nlohmann::json& value) {
  return set_json_pointer(document, pointer, value);
}

namespace {

bool valid_pointer(const std::string& pointer) {
  try {
    nlohmann::json::json_pointer p(pointer);
    return !pointer.empty();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

nlohmann::json factor_value(const StudyFactor& factor, double unit) {
  if (factor.discrete())
    return factor.values[static_cast<std::size_t>(
        unit_to_level(unit, static_cast<int>(factor.values.size())))];
  const double value = unit_to_value(unit, factor.min, factor.max);
  if (factor.integer) return static_cast<std::int64_t>(std::llround(value));
  return value;
}

std::vector<FactorShape> shapes(const Study& study) {
  std::vector<FactorShape> out;
  for (const auto& f : study.factors)
    out.push_back(FactorShape{
        f.discrete(), f.discrete() ? static_cast<int>(f.values.size()) : study.design.levels});
  return out;
}

Rng design_rng(const Study& study) {
  return Rng(study.seed, 0, "design/" + study.name);
}

/// a * b, or nothing when it does not fit in std::size_t.
std::optional<std::size_t> checked_product(std::optional<std::size_t> a, std::size_t b) {
  if (!a || (b != 0 && *a > std::numeric_limits<std::size_t>::max() / b)) return std::nullopt;
  return *a * b;
}

/// The number of points of the study's design (nothing if it does not fit in std::size_t),
/// computed without generating them.
std::optional<std::size_t> design_size(const Study& study) {
  const std::size_t k = study.factors.size();
  if (k == 0) return 1;
  switch (study.design.kind) {
    case DesignKind::grid:
      return grid_size(shapes(study));
    case DesignKind::oat:
      return one_at_a_time_size(shapes(study));
    case DesignKind::lhs:
      return static_cast<std::size_t>(study.design.samples);
    case DesignKind::morris:
      return checked_product(static_cast<std::size_t>(study.design.trajectories), k + 1);
    case DesignKind::sobol:
      return checked_product(static_cast<std::size_t>(study.design.samples), k + 2);
  }
  return std::nullopt;
}

/// The JSON Pointer of what sets the number of points of the study's design.
std::string design_size_pointer(const Study& study) {
  switch (study.design.kind) {
    case DesignKind::lhs:
    case DesignKind::sobol:
      return "/design/samples";
    case DesignKind::morris:
      return "/design/trajectories";
    case DesignKind::grid:
    case DesignKind::oat:
      for (const auto& factor : study.factors)
        if (!factor.discrete()) return "/design/levels";
      return "/factors";
  }
  return "/design";
}

/// Sets study.points, or reports a design of more than max_study_runs runs.
void check_design_size(Study& study, ProblemSink& sink) {
  const std::string expected = "a design of at most " + std::to_string(max_study_runs) +
                               " runs (design points x replications)";
  const auto points = design_size(study);
  if (!points || *points > max_study_runs) {
    std::string found = points ? std::to_string(*points) + " design points"
                               : "more design points than this machine can count";
    if (study.design.kind == DesignKind::grid && study.factors.size() > 1) {
      std::string product;
      for (const auto& shape : shapes(study))
        product += (product.empty() ? "" : " x ") + std::to_string(shape.levels);
      found += " (" + product + " levels)";
    }
    sink.add(design_size_pointer(study), expected, found);
    return;
  }
  const auto runs = checked_product(*points, static_cast<std::size_t>(study.replications));
  if (!runs || *runs > max_study_runs) {
    sink.add("/replications", expected,
             std::to_string(*points) + " design points x " + std::to_string(study.replications) +
                 " replications = " + (runs ? std::to_string(*runs) : "too many") + " runs");
    return;
  }
  study.points = *points;
}

}  // namespace

MorrisDesign morris_structure(const Study& study) {
  Rng rng = design_rng(study);
  return morris_design(static_cast<int>(study.factors.size()), study.design.trajectories,
                       study.design.levels, rng);
}

SaltelliDesign saltelli_structure(const Study& study) {
  Rng rng = design_rng(study);
  return saltelli_design(study.design.samples, static_cast<int>(study.factors.size()), rng);
}

StudyDesign::StudyDesign(const Study& study) : study_(&study) {
  const std::size_t k = study.factors.size();
  if (k == 0) {
    size_ = 1;  // no factor: one point, the base scenario
    return;
  }
  UnitPoints unit;
  switch (study.design.kind) {
    case DesignKind::grid: {
      grid_ = shapes(study);
      const auto size = grid_size(grid_);
      if (!size) throw std::length_error("study " + study.name + ": the grid is too large");
      size_ = *size;
      return;
    }
    case DesignKind::oat:
      unit = one_at_a_time(shapes(study));
      break;
    case DesignKind::lhs: {
      // Straight into the compact form: the largest designs are Latin hypercubes.
      Rng rng = design_rng(study);
      unit_ = latin_hypercube_flat(study.design.samples, static_cast<int>(k), rng);
      size_ = unit_.size() / k;
      return;
    }
    case DesignKind::morris:
      unit = morris_structure(study).points;
      break;
    case DesignKind::sobol:
      unit = saltelli_structure(study).points;
      break;
  }
  size_ = unit.size();
  unit_.reserve(size_ * k);
  for (auto& row : unit) {
    unit_.insert(unit_.end(), row.begin(), row.end());
    std::vector<double>().swap(row);  // keep the peak near one copy of the design
  }
}

DesignPoint StudyDesign::point(std::size_t index) const {
  if (index >= size_) {
    throw std::out_of_range("study " + study_->name + ": no design point " + std::to_string(index) +
                            " among " + std::to_string(size_));
  }
  const std::size_t k = study_->factors.size();
  DesignPoint point;
  if (!grid_.empty()) {
    point.unit = grid_point(grid_, index);
  } else {
    const auto first = unit_.begin() + static_cast<std::ptrdiff_t>(index * k);
    point.unit.assign(first, first + static_cast<std::ptrdiff_t>(k));
  }
  point.values.reserve(k);
  for (std::size_t j = 0; j < k; ++j)
    point.values.push_back(factor_value(study_->factors[j], point.unit[j]));
  return point;
}

std::vector<DesignPoint> design_points(const Study& study) {
  const StudyDesign design(study);
  std::vector<DesignPoint> points;
  points.reserve(design.size());
  for (std::size_t p = 0; p < design.size(); ++p)
    points.push_back(design.point(p));
  return points;
}

nlohmann::json scenario_at(const Study& study, const DesignPoint& point) {
  nlohmann::json scenario = study.base;
  for (std::size_t j = 0; j < study.factors.size(); ++j)
    if (!set_at_pointer(scenario, study.factors[j].path, point.values[j]))
      throw ModelError("study: cannot set " + study.factors[j].path);
  return scenario;
}

namespace {

/// A KPI the study names that no run reports would be stored as NULL in every run and analysed
/// as missing: refused before anything runs, with the closest name a run does report.
void check_kpi_names(const Study& study, const std::set<std::string>& known, bool has_outcome,
                     ProblemSink& sink) {
  const std::vector<std::string> names(known.begin(), known.end());
  const auto check = [&](const std::string& name, const std::string& pointer) {
    if (known.count(name)) return;
    const std::string closest = closest_name(name, names);
    sink.add(pointer,
             "a KPI that a run of " + study.base_path + " reports (`tenderlab kpis " +
                 study.base_path + "` lists them)",
             describe_json(name) + (closest.empty() ? "" : "; did you mean `" + closest + "`?"));
  };
  for (std::size_t i = 0; i < study.kpis.size(); ++i)
    check(study.kpis[i], "/kpis/" + std::to_string(i));
  if (has_outcome) check(study.outcome.kpi, "/outcome/kpi");
}

}  // namespace

Study load_study(const std::string& path) {
  const nlohmann::json document = read_json_file(path);
  ProblemSink sink(path);
  Study study;
  study.file = path;
  study.study_sha256 = sha256_file(path);
  study.study_json = document.dump();
  ObjectReader root(document, "", sink);
  root.get("$schema");
  {
    const std::string format = root.string("format", study_format);
    if (format != study_format)
      sink.add("/format", std::string("\"") + study_format + "\"", describe_json(format));
  }
  study.name = root.string("name", "", true);
  study.description = root.string("description", "");
  const std::string base = root.string("base", "", true);
  study.seed = static_cast<std::uint64_t>(
      root.integer("seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
  study.replications = static_cast<int>(root.integer("replications", 1, 1, 100000));
  root.array("kpis", [&](const nlohmann::json& item, const std::string& pointer) {
    if (item.is_string())
      study.kpis.push_back(item.get<std::string>());
    else
      sink.add(pointer, "a KPI name (string)", describe_json(item));
  });
  root.array("keep_event_logs", [&](const nlohmann::json& item, const std::string& pointer) {
    if (item.is_string())
      study.keep_event_logs.push_back(item.get<std::string>());
    else
      sink.add(pointer, "a run id such as \"p00000-r000\", or \"*\"", describe_json(item));
  });
  study.database = root.string("database", "");
  study.parameter_sets_reference = root.string("parameter_sets", "");
  if (const auto* outcome = root.get("outcome")) {
    ObjectReader o(*outcome, "/outcome", sink);
    study.outcome.kpi = o.string("kpi", "awarded", true);
    static const std::vector<std::string> ops = {"<", "<=", "==", "!=", ">=", ">"};
    if (auto op = o.choice("op", ops, true)) study.outcome.op = ops[*op];
    study.outcome.value = o.number("value", 0, -1e300, 1e300, true);
    o.finish();
  }
  if (const auto* design = root.get("design")) {
    ObjectReader d(*design, "/design", sink);
    static const std::vector<std::string> kinds = {"grid", "lhs", "oat", "morris", "sobol"};
    if (auto kind = d.choice("type", kinds, true))
      study.design.kind = static_cast<DesignKind>(*kind);
    study.design.levels = static_cast<int>(
        d.integer("levels", study.design.kind == DesignKind::morris ? 4 : 3, 1, 1000));
    study.design.samples = static_cast<int>(d.integer("samples", 50, 1, 1'000'000));
    study.design.trajectories = static_cast<int>(d.integer("trajectories", 10, 1, 100'000));
    d.finish();
    if (study.design.kind == DesignKind::morris && study.design.levels < 2)
      sink.add("/design/levels", "at least 2 levels for a Morris design",
               std::to_string(study.design.levels));
  } else if (root.valid()) {
    sink.add("/design", "an object", "nothing (missing)");
  }
  std::vector<std::pair<std::string, nlohmann::json>> fixed;
  root.array("fixed", [&](const nlohmann::json& item, const std::string& pointer) {
    ObjectReader f(item, pointer, sink);
    const std::string target = f.string("path", "", true);
    if (f.valid() && !target.empty() && !valid_pointer(target))
      sink.add(f.pointer_of("path"), "a JSON Pointer", describe_json(target));
    const nlohmann::json* value = f.get("value");
    if (f.valid() && !value) sink.add(f.pointer_of("value"), "a value", "nothing (missing)");
    f.finish();
    if (value) fixed.emplace_back(target, *value);
  });
  std::set<std::string> names;
  root.array("factors", [&](const nlohmann::json& item, const std::string& pointer) {
    StudyFactor factor;
    ObjectReader f(item, pointer, sink);
    factor.name = f.string("name", "", true);
    factor.path = f.string("path", "", true);
    factor.integer = f.boolean("integer", false);
    if (f.valid() && !factor.path.empty() && !valid_pointer(factor.path))
      sink.add(f.pointer_of("path"), "a JSON Pointer such as \"/calls/0/terms/tax_credit\"",
               describe_json(factor.path));
    const bool has_values = f.has("values");
    const bool has_min = f.has("min"), has_max = f.has("max");  // both, so both count as known
    const bool has_range = has_min || has_max;
    if (has_values && has_range) {
      sink.add(pointer, "either values or min and max", "both");
    } else if (has_values) {
      f.array("values", [&](const nlohmann::json& value, const std::string&) {
        factor.values.push_back(value);
      });
      if (factor.values.empty()) sink.add(f.pointer_of("values"), "at least one value", "none");
    } else if (f.valid()) {
      factor.min = f.number("min", 0, -1e300, 1e300, true);
      factor.max = f.number("max", 0, -1e300, 1e300, true);
      if (factor.max < factor.min)
        sink.add(f.pointer_of("max"), "a number >= min", describe_json(factor.max));
    }
    f.finish();
    if (!factor.name.empty() && !names.insert(factor.name).second)
      sink.add(f.pointer_of("name"), "a name not used by another factor",
               describe_json(factor.name));
    study.factors.push_back(std::move(factor));
  });
  root.finish();
  if (const auto* name = root.get("name"); name && name->is_string() && !is_safe_name(study.name))
    sink.add("/name", std::string(safe_name_expected) + " (it names the results database)",
             describe_json(*name));
  // Latin hypercube, Morris and Sobol designs draw points in the factors' space: with no factor
  // there is nothing to draw. A grid or one-at-a-time design without factors is one point.
  const bool sampled_design = study.design.kind == DesignKind::lhs ||
                              study.design.kind == DesignKind::morris ||
                              study.design.kind == DesignKind::sobol;
  if (sampled_design && study.factors.empty())
    sink.add("/factors",
             std::string("at least one factor for a ") + to_string(study.design.kind) + " design",
             "none");
  if (study.design.kind == DesignKind::sobol && study.design.samples < 2)
    sink.add("/design/samples", "at least 2 base samples for a Sobol design",
             std::to_string(study.design.samples));
  if (sink.empty()) check_design_size(study, sink);
  if (!sink.empty()) throw InputError(sink.take());

  // The base scenario, resolved against the study file's folder.
  fs::path base_path = base;
  if (base_path.is_relative()) base_path = fs::path(path).parent_path() / base_path;
  study.base_reference = base;
  study.base_path = base_path.lexically_normal().string();
  study.base = read_scenario_document(study.base_path);
  study.base_sha256 = sha256_file(study.base_path);
  for (std::size_t i = 0; i < fixed.size(); ++i)
    if (!set_at_pointer(study.base, fixed[i].first, fixed[i].second))
      sink.add("/fixed/" + std::to_string(i) + "/path",
               "a JSON Pointer whose parent exists in " + study.base_path,
               describe_json(fixed[i].first));
  if (!sink.empty()) throw InputError(sink.take());
  if (!study.parameter_sets_reference.empty()) {
    // A calibration's accepted draws: every point runs at each of them. They belong to the
    // scenario they were accepted for, so only to that file.
    fs::path sets_path = study.parameter_sets_reference;
    if (sets_path.is_relative()) sets_path = fs::path(path).parent_path() / sets_path;
    study.parameter_sets_path = sets_path.lexically_normal().string();
    auto sets = std::make_shared<ParameterSets>(load_parameter_sets(study.parameter_sets_path));
    if (sets->scenario_sha256 != study.base_sha256) {
      sink.add("/parameter_sets",
               "a calibration of the base scenario " + study.base_path + " (SHA-256 " +
                   study.base_sha256.substr(0, 12) +
                   "...): its accepted draws belong to the scenario they were accepted for",
               describe_json(study.parameter_sets_reference) + ", a calibration of " +
                   sets->scenario_file + " (SHA-256 " + sets->scenario_sha256.substr(0, 12) +
                   "...); calibrate the base scenario with tenderlab calibrate");
      throw InputError(sink.take());
    }
    for (const auto& target : sets->paths)
      if (!ensure_parent_objects(study.base, target))
        sink.add("/parameter_sets", "parameters settable in " + study.base_path,
                 describe_json(target) + " of " + study.parameter_sets_path);
    const auto runs = checked_product(checked_product(study.points, sets->size()),
                                      static_cast<std::size_t>(study.replications));
    if (!runs || *runs > max_study_runs)
      sink.add("/replications",
               "a design of at most " + std::to_string(max_study_runs) +
                   " runs (design points x parameter sets x replications)",
               std::to_string(study.points) + " design points x " + std::to_string(sets->size()) +
                   " parameter sets x " + std::to_string(study.replications) + " replications");
    if (!sink.empty()) throw InputError(sink.take());
    study.replications *= static_cast<int>(sets->size());
    study.parameter_sets = std::move(sets);
  }
  // The base with its fixed changes must be valid; the KPI names a run of it reports are known.
  std::set<std::string> kpi_names;
  for (const auto& kpi : kpi_catalog(scenario_from_json(study.base, study.base_path)))
    kpi_names.insert(kpi.name);
  set_database(study, study.database.empty()
                          ? (fs::path(path).parent_path() / (study.name + ".sqlite")).string()
                          : study.database);

  // Every factor must address a settable value, and the scenario must stay valid at each end of
  // every factor's range (the other factors at their first level).
  for (std::size_t j = 0; j < study.factors.size(); ++j) {
    const StudyFactor& factor = study.factors[j];
    const std::string pointer = "/factors/" + std::to_string(j);
    std::vector<nlohmann::json> probes =
        factor.discrete()
            ? factor.values
            : std::vector<nlohmann::json>{factor_value(factor, 0.0), factor_value(factor, 1.0)};
    for (const auto& probe : probes) {
      nlohmann::json scenario = study.base;
      if (!set_at_pointer(scenario, factor.path, probe)) {
        sink.add(pointer + "/path", "a JSON Pointer whose parent exists in " + study.base_path,
                 describe_json(factor.path));
        break;
      }
      try {
        // A factor may change what a run reports (a call's rounds): its names count too.
        for (const auto& kpi : kpi_catalog(scenario_from_json(scenario, study.base_path)))
          kpi_names.insert(kpi.name);
      } catch (const InputError& error) {
        const InputProblem& first = error.problems().front();
        sink.add(pointer, "values that keep the scenario valid",
                 probe.dump() + " (" + first.pointer + ": expected " + first.expected + ", found " +
                     first.found + ")");
        break;
      }
    }
  }
  if (!sink.empty()) throw InputError(sink.take());
  check_kpi_names(study, kpi_names, root.get("outcome") != nullptr, sink);
  if (!sink.empty()) throw InputError(sink.take());
  return study;
}

}  // namespace tenderlab::analysis
