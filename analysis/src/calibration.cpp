#include "tenderlab/analysis/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/parameters.hpp"
#include "tenderlab/engine/sha256.hpp"

namespace tenderlab::analysis {
namespace {

// The 5 % critical value of the one-sample Kolmogorov-Smirnov test is about this over sqrt(n).
constexpr double kKsCritical5 = 1.36;
// A posterior interquartile range at most this share of the prior's counts as clearly narrower.
constexpr double kIdentifiedIqrRatio = 0.6;
// Fewer accepted draws than this say nothing about a marginal.
constexpr std::size_t kMinAcceptedForIdentification = 5;

bool finite_range(const ParamSpec& spec) {
  return spec.provenance == Provenance::assumed && std::isfinite(spec.plausible_min) &&
         std::isfinite(spec.plausible_max) && spec.plausible_max > spec.plausible_min;
}

bool procurement_only(const ParamSpec& spec) {
  return spec.description.rfind("Procurement:", 0) == 0;
}

nlohmann::json value_at(const nlohmann::json& document, const std::string& pointer,
                        const ParamSpec& spec) {
  try {
    const nlohmann::json::json_pointer p(pointer);
    if (document.contains(p)) return document.at(p);
  } catch (const nlohmann::json::exception&) {
  }
  if (spec.type == ParamType::integer) return static_cast<std::int64_t>(spec.default_value);
  if (spec.type == ParamType::boolean) return spec.default_value != 0;
  return spec.default_value;
}

CalibratedParameter make_parameter(const nlohmann::json& scenario, const std::string& table,
                                   const std::string& name, const std::string& path,
                                   const ParamSpec& spec) {
  CalibratedParameter p;
  p.name = name;
  p.path = path;
  p.table = table;
  p.key = spec.key;
  p.unit = spec.unit;
  p.provenance = to_string(spec.provenance);
  p.basis = spec.basis;
  p.integer = spec.type == ParamType::integer;
  if (finite_range(spec)) {
    p.min = spec.plausible_min;
    p.max = spec.plausible_max;
  }
  p.scenario_value = value_at(scenario, path, spec);
  return p;
}

bool has_procurement_call(const nlohmann::json& scenario) {
  if (!scenario.contains("calls") || !scenario.at("calls").is_array()) return false;
  for (const auto& call : scenario.at("calls"))
    if (call.is_object() && call.value("kind", "") == "procurement") return true;
  return false;
}

/// Type-7 quantile of sorted values.
double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double at = q * static_cast<double>(sorted.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(at));
  const std::size_t high = std::min(low + 1, sorted.size() - 1);
  return sorted[low] + (at - static_cast<double>(low)) * (sorted[high] - sorted[low]);
}

nlohmann::ordered_json marginal_json(const Marginal& m) {
  return {{"q05", m.q05}, {"q25", m.q25}, {"q50", m.q50},
          {"q75", m.q75}, {"q95", m.q95}, {"mean", m.mean}};
}

std::string csv_number(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace

ScenarioParameters scenario_parameters(const nlohmann::json& scenario) {
  ScenarioParameters out;
  const bool procurement = has_procurement_call(scenario);
  const std::vector<std::pair<std::string, std::string>> places = {{"assumptions", "assumptions"},
                                                                   {"market", "beliefs"}};
  for (const auto& [place, table_name] : places) {
    for (const ParamSpec& spec : parameter_table(table_name).params) {
      if (!spec.scalar() || spec.provenance == Provenance::input) continue;
      if (procurement_only(spec) && !procurement) continue;
      CalibratedParameter p = make_parameter(scenario, table_name, place + "/" + spec.key,
                                             "/" + place + "/" + spec.key, spec);
      (finite_range(spec) ? out.drawn : out.fixed).push_back(std::move(p));
    }
  }
  return out;
}

std::vector<CalibratedParameter> calibration_parameters(const nlohmann::json& scenario,
                                                        const std::vector<std::string>& only,
                                                        const std::string& origin) {
  const ScenarioParameters all = scenario_parameters(scenario);
  if (only.empty()) {
    if (all.drawn.empty())
      throw InputError(
          {InputProblem{origin, "", "a scenario with assumed parameters to draw", "none"}});
    return all.drawn;
  }
  std::vector<CalibratedParameter> chosen;
  std::set<std::string> seen;
  const auto problem = [&](const std::string& expected, const std::string& found) {
    return InputError({InputProblem{origin, "", expected, found}});
  };
  for (const std::string& name : only) {
    std::optional<CalibratedParameter> found;
    std::vector<const CalibratedParameter*> by_key;
    for (const auto& p : all.drawn) {
      if (p.name == name) found = p;
      if (p.key == name) by_key.push_back(&p);
    }
    if (!found && by_key.size() == 1) found = *by_key.front();
    if (!found && name.rfind("agents/", 0) == 0) {
      const auto slash = name.find('/', 7);
      const std::string id = slash == std::string::npos ? "" : name.substr(7, slash - 7);
      const std::string key = slash == std::string::npos ? "" : name.substr(slash + 1);
      const ParamSpec* spec = agent_parameter_table().find(key);
      if (spec && finite_range(*spec) && scenario.contains("agents") &&
          scenario.at("agents").is_array()) {
        const auto& agents = scenario.at("agents");
        for (std::size_t i = 0; i < agents.size(); ++i)
          if (agents[i].is_object() && agents[i].value("id", "") == id)
            found = make_parameter(scenario, "agent", name,
                                   "/agents/" + std::to_string(i) + "/" + key, *spec);
      }
    }
    if (!found) {
      std::string examples;
      for (std::size_t i = 0; i < all.drawn.size() && i < 3; ++i)
        examples += (i ? ", " : "") + all.drawn[i].name;
      throw problem("an assumed parameter with a plausible range: " + examples +
                        ", ... (`tenderlab calibrate SCENARIO --dry-run` lists them), a key "
                        "only one of them has, or agents/ID/KEY for an agent's assumed key",
                    describe_json(name) +
                        (by_key.size() > 1 ? " (a key several tables have: name the table)" : ""));
    }
    if (!seen.insert(found->name).second)
      throw problem("each parameter once", describe_json(name) + " named twice");
    chosen.push_back(std::move(*found));
  }
  return chosen;
}

bool ensure_parent_objects(nlohmann::json& document, const std::string& pointer) {
  if (pointer.empty() || pointer.front() != '/') return false;
  std::vector<std::string> tokens;
  try {
    nlohmann::json::json_pointer p(pointer);
    nlohmann::json::json_pointer walk = p;
    while (!walk.empty()) {
      tokens.insert(tokens.begin(), walk.back());
      walk.pop_back();
    }
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  nlohmann::json* at = &document;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (at->is_object()) {
      if (!at->contains(tokens[i])) (*at)[tokens[i]] = nlohmann::json::object();
      at = &(*at)[tokens[i]];
    } else if (at->is_array()) {
      const std::string& t = tokens[i];
      if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos) return false;
      const std::size_t index = std::stoul(t);
      if (index >= at->size()) return false;
      at = &(*at)[index];
    } else {
      return false;
    }
  }
  return at->is_object() || at->is_array();
}

nlohmann::ordered_json calibration_study_document(
    const nlohmann::json& scenario, const std::string& scenario_reference,
    const std::vector<CalibratedParameter>& parameters, const CalibrationSettings& settings) {
  nlohmann::ordered_json study;
  study["format"] = study_format;
  study["name"] = "calibration";
  study["description"] =
      "Runs of `tenderlab calibrate`: a Latin hypercube over the assumed parameters' plausible "
      "ranges, each draw with its seeds; calibration.json beside it holds the result.";
  study["base"] = scenario_reference;
  study["seed"] = settings.seed;
  study["replications"] = settings.replications;
  // Objects on the way to a parameter that the scenario leaves out (it then takes every default
  // there): created empty, which means the same.
  nlohmann::ordered_json fixed = nlohmann::ordered_json::array();
  nlohmann::json probe = scenario;
  for (const auto& p : parameters) {
    nlohmann::json::json_pointer walk(p.path);
    std::vector<nlohmann::json::json_pointer> parents;
    for (walk.pop_back(); !walk.empty(); walk.pop_back())
      parents.insert(parents.begin(), walk);
    for (const auto& parent : parents) {
      if (probe.contains(parent)) continue;
      probe[parent] = nlohmann::json::object();
      fixed.push_back({{"path", parent.to_string()}, {"value", nlohmann::ordered_json::object()}});
    }
  }
  if (!fixed.empty()) study["fixed"] = fixed;
  nlohmann::ordered_json factors = nlohmann::ordered_json::array();
  for (const auto& p : parameters) {
    nlohmann::ordered_json factor = {
        {"name", p.name}, {"path", p.path}, {"min", p.min}, {"max", p.max}};
    if (p.integer) factor["integer"] = true;
    factors.push_back(factor);
  }
  study["factors"] = factors;
  study["design"] = {{"type", "lhs"}, {"samples", settings.draws}};
  study["outcome"] = {{"kpi", calibration_match_kpi}, {"op", "=="}, {"value", 1}};
  return study;
}

bool accept_draw(const DrawRuns& draw, int replications, double min_match) {
  if (draw.runs == 0 || replications <= 0) return false;
  return static_cast<double>(draw.matches) >= min_match * static_cast<double>(replications) - 1e-9;
}

Marginal marginal_of(std::vector<double> values) {
  Marginal m;
  if (values.empty()) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return Marginal{nan, nan, nan, nan, nan, nan};
  }
  std::sort(values.begin(), values.end());
  m.q05 = quantile_sorted(values, 0.05);
  m.q25 = quantile_sorted(values, 0.25);
  m.q50 = quantile_sorted(values, 0.50);
  m.q75 = quantile_sorted(values, 0.75);
  m.q95 = quantile_sorted(values, 0.95);
  double sum = 0;
  for (double v : values)
    sum += v;
  m.mean = sum / static_cast<double>(values.size());
  return m;
}

Marginal uniform_marginal(double min, double max) {
  const auto at = [&](double q) { return min + q * (max - min); };
  return Marginal{at(0.05), at(0.25), at(0.5), at(0.75), at(0.95), at(0.5)};
}

double ks_distance_uniform(std::vector<double> values, double min, double max) {
  if (values.empty() || !(max > min)) return 0;
  std::sort(values.begin(), values.end());
  const auto n = static_cast<double>(values.size());
  double d = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double u = std::clamp((values[i] - min) / (max - min), 0.0, 1.0);
    d = std::max({d, static_cast<double>(i + 1) / n - u, u - static_cast<double>(i) / n});
  }
  return d;
}

std::string identification(double ks_distance, double iqr_ratio, std::size_t accepted) {
  if (accepted < kMinAcceptedForIdentification) return "not identified";
  const bool differs = ks_distance > kKsCritical5 / std::sqrt(static_cast<double>(accepted));
  if (!differs) return "not identified";
  return iqr_ratio <= kIdentifiedIqrRatio ? "identified" : "constrained";
}

namespace {

/// Rounds to 12 significant digits for the summaries, so last-bit differences in sums do not show
/// in the file (the draws themselves are written exactly).
double tidy(double value) {
  if (!std::isfinite(value) || value == 0) return value;
  const double scale =
      std::pow(10.0, 11 - static_cast<int>(std::floor(std::log10(std::fabs(value)))));
  return std::round(value * scale) / scale;
}

Marginal tidy(Marginal m) {
  return Marginal{tidy(m.q05), tidy(m.q25), tidy(m.q50), tidy(m.q75), tidy(m.q95), tidy(m.mean)};
}

nlohmann::ordered_json parameter_json(const CalibratedParameter& p, bool drawn) {
  nlohmann::ordered_json j;
  j["name"] = p.name;
  j["path"] = p.path;
  j["table"] = p.table;
  j["unit"] = p.unit;
  j["provenance"] = p.provenance;
  j["basis"] = p.basis;
  if (drawn) {
    j["prior"] = {{"distribution", "uniform"}, {"min", p.min}, {"max", p.max}};
    j["integer"] = p.integer;
  }
  j["scenario_value"] = p.scenario_value;
  return j;
}

}  // namespace

nlohmann::ordered_json calibration_document(const Study& study, ResultsStore& store,
                                            const std::string& scenario_file,
                                            const std::string& scenario_sha256,
                                            const nlohmann::json& scenario,
                                            const std::vector<CalibratedParameter>& parameters,
                                            const std::vector<CalibratedParameter>& fixed,
                                            const CalibrationSettings& settings) {
  // Which KPIs say that a run reproduced the recorded bid counts.
  std::vector<std::pair<std::string, double>> bid_targets;
  if (scenario.contains("history") && scenario.at("history").is_array())
    for (const auto& row : scenario.at("history"))
      if (row.is_object() && row.contains("bids") && row.at("bids").is_number())
        bid_targets.emplace_back(
            row.value("call", "") + ".bids_round_" + std::to_string(row.value("round", 0)),
            row.at("bids").get<double>());

  const StudyDesign design(study);
  std::vector<DrawRuns> draws(design.size());
  for (const RunRecord& run : store.runs()) {
    if (run.point < 0 || static_cast<std::size_t>(run.point) >= draws.size()) continue;
    DrawRuns& d = draws[static_cast<std::size_t>(run.point)];
    if (run.status == "crashed") continue;
    ++d.runs;
    if (run.status != "ok") {
      ++d.failed;
      continue;
    }
    const auto kpi = [&run](const std::string& name) -> std::optional<double> {
      if (!run.kpis.contains(name) || !run.kpis.at(name).is_number()) return std::nullopt;
      return run.kpis.at(name).get<double>();
    };
    if (kpi(calibration_match_kpi) == 1.0) ++d.matches;
    bool bids = !bid_targets.empty();
    for (const auto& [name, target] : bid_targets)
      bids = bids && kpi(name) == target;
    if (bids) ++d.bids_matches;
  }

  nlohmann::ordered_json doc;
  doc["$schema"] = calibration_schema_id;
  doc["format"] = calibration_format;
  doc["scenario"] = {
      {"file", scenario_file}, {"name", scenario.value("name", "")}, {"sha256", scenario_sha256}};
  doc["settings"] = {{"draws", settings.draws},        {"replications", settings.replications},
                     {"seed", settings.seed},          {"design", "lhs"},
                     {"kernel", "rejection"},          {"match_kpi", calibration_match_kpi},
                     {"min_match", settings.min_match}};
  nlohmann::ordered_json params = nlohmann::ordered_json::array();
  for (const auto& p : parameters)
    params.push_back(parameter_json(p, true));
  doc["parameters"] = params;
  nlohmann::ordered_json not_drawn = nlohmann::ordered_json::array();
  for (const auto& p : fixed)
    not_drawn.push_back(parameter_json(p, false));
  doc["not_drawn"] = not_drawn;

  std::vector<std::vector<double>> accepted_values(parameters.size());
  std::size_t accepted = 0, accepted_runs = 0, accepted_matches = 0, accepted_bids = 0;
  std::size_t all_runs = 0, all_matches = 0, failed = 0;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t p = 0; p < design.size(); ++p) {
    const DesignPoint point = design.point(p);
    const DrawRuns& d = draws[p];
    const bool ok = accept_draw(d, settings.replications, settings.min_match);
    nlohmann::ordered_json values = nlohmann::ordered_json::object();
    for (std::size_t j = 0; j < parameters.size(); ++j) {
      values[parameters[j].name] = point.values[j];
      if (ok) accepted_values[j].push_back(point.values[j].get<double>());
    }
    const double rate =
        d.runs == 0 ? 0.0 : static_cast<double>(d.matches) / static_cast<double>(d.runs);
    rows.push_back({{"draw", p},
                    {"values", values},
                    {"runs", d.runs},
                    {"matches", d.matches},
                    {"bids_matches", d.bids_matches},
                    {"failed", d.failed},
                    {"match_rate", tidy(rate)},
                    {"accepted", ok}});
    all_runs += d.runs;
    all_matches += d.matches;
    failed += d.failed;
    if (ok) {
      ++accepted;
      accepted_runs += d.runs;
      accepted_matches += d.matches;
      accepted_bids += d.bids_matches;
    }
  }
  const auto share = [](std::size_t part, std::size_t whole) {
    return whole == 0 ? nlohmann::ordered_json(nullptr)
                      : nlohmann::ordered_json(
                            tidy(static_cast<double>(part) / static_cast<double>(whole)));
  };
  doc["acceptance"] = {{"draws", design.size()},
                       {"accepted", accepted},
                       {"acceptance_rate", share(accepted, design.size())},
                       {"runs", all_runs},
                       {"failed_runs", failed},
                       {"match_share_all_runs", share(all_matches, all_runs)},
                       {"accepted_runs", accepted_runs},
                       {"match_share_accepted_runs", share(accepted_matches, accepted_runs)},
                       {"bids_share_accepted_runs", share(accepted_bids, accepted_runs)}};
  nlohmann::ordered_json posterior = nlohmann::ordered_json::array();
  for (std::size_t j = 0; j < parameters.size(); ++j) {
    const CalibratedParameter& p = parameters[j];
    const Marginal prior = uniform_marginal(p.min, p.max);
    const Marginal post = marginal_of(accepted_values[j]);
    const double prior_iqr = prior.q75 - prior.q25;
    const double post_iqr = post.q75 - post.q25;
    const double ratio = accepted == 0 || prior_iqr <= 0 ? std::numeric_limits<double>::quiet_NaN()
                                                         : post_iqr / prior_iqr;
    const double ks = ks_distance_uniform(accepted_values[j], p.min, p.max);
    nlohmann::ordered_json row;
    row["name"] = p.name;
    row["prior"] = marginal_json(tidy(prior));
    row["posterior"] = accepted == 0 ? nlohmann::ordered_json(nullptr)
                                     : nlohmann::ordered_json(marginal_json(tidy(post)));
    row["iqr_ratio"] =
        std::isnan(ratio) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(tidy(ratio));
    row["ks_distance"] = tidy(ks);
    row["identification"] = identification(ks, ratio, accepted);
    posterior.push_back(row);
  }
  doc["posterior"] = posterior;
  doc["draws"] = rows;
  return doc;
}

std::string calibration_draws_csv(const nlohmann::ordered_json& calibration) {
  std::ostringstream out;
  out << "draw";
  for (const auto& p : calibration.at("parameters"))
    out << "," << p.at("name").get<std::string>();
  out << ",runs,matches,bids_matches,failed,match_rate,accepted\n";
  for (const auto& d : calibration.at("draws")) {
    out << d.at("draw").dump();
    for (const auto& p : calibration.at("parameters"))
      out << "," << csv_number(d.at("values").at(p.at("name").get<std::string>()));
    out << "," << d.at("runs").dump() << "," << d.at("matches").dump() << ","
        << d.at("bids_matches").dump() << "," << d.at("failed").dump() << ","
        << d.at("match_rate").dump() << "," << (d.at("accepted").get<bool>() ? 1 : 0) << "\n";
  }
  return out.str();
}

nlohmann::json ParameterSets::patch(std::size_t index) const {
  nlohmann::json patch = nlohmann::json::array();
  for (std::size_t j = 0; j < paths.size(); ++j)
    patch.push_back({{"path", paths[j]}, {"value", values.at(index)[j]}});
  return patch;
}

nlohmann::json ParameterSets::compact() const {
  return {{"file", file},
          {"sha256", sha256},
          {"scenario_file", scenario_file},
          {"scenario_sha256", scenario_sha256},
          {"names", names},
          {"paths", paths},
          {"draws", draws},
          {"values", values}};
}

ParameterSets parameter_sets_from_compact(const nlohmann::json& compact) {
  ParameterSets sets;
  sets.file = compact.at("file").get<std::string>();
  sets.sha256 = compact.at("sha256").get<std::string>();
  sets.scenario_file = compact.at("scenario_file").get<std::string>();
  sets.scenario_sha256 = compact.at("scenario_sha256").get<std::string>();
  sets.names = compact.at("names").get<std::vector<std::string>>();
  sets.paths = compact.at("paths").get<std::vector<std::string>>();
  sets.draws = compact.at("draws").get<std::vector<int>>();
  sets.values = compact.at("values").get<std::vector<std::vector<nlohmann::json>>>();
  return sets;
}

ParameterSets load_parameter_sets(const std::string& path) {
  const nlohmann::json document = read_json_file(path);
  ProblemSink sink(path);
  ParameterSets sets;
  sets.file = path;
  sets.sha256 = sha256_file(path);
  // Only what the runs need is read, strictly; the statistics beside it are for people.
  if (!document.is_object()) {
    sink.add("",
             "a calibration file (an object with format \"" + std::string(calibration_format) +
                 "\", written by tenderlab calibrate)",
             describe_json(document));
    throw InputError(sink.take());
  }
  const std::string format = document.value("format", "");
  if (format != calibration_format) {
    sink.add(
        "/format", std::string("\"") + calibration_format + "\"",
        document.contains("format") ? describe_json(document.at("format")) : "nothing (missing)");
    throw InputError(sink.take());
  }
  if (const auto scenario = document.find("scenario");
      scenario == document.end() || !scenario->is_object()) {
    sink.add("/scenario", "an object with file and sha256", "nothing (missing) or another value");
  } else {
    const auto text = [&](const char* key) {
      const auto it = scenario->find(key);
      if (it == scenario->end() || !it->is_string()) {
        sink.add(std::string("/scenario/") + key, "a string",
                 it == scenario->end() ? "nothing (missing)" : describe_json(*it));
        return std::string();
      }
      return it->get<std::string>();
    };
    sets.scenario_file = text("file");
    sets.scenario_sha256 = text("sha256");
  }
  const auto parameters = document.find("parameters");
  if (parameters == document.end() || !parameters->is_array() || parameters->empty()) {
    sink.add("/parameters", "an array of the drawn parameters", "nothing (missing) or none");
  } else {
    for (std::size_t j = 0; j < parameters->size(); ++j) {
      const auto& p = (*parameters)[j];
      const std::string at = "/parameters/" + std::to_string(j);
      if (!p.is_object() || !p.contains("name") || !p.at("name").is_string() ||
          !p.contains("path") || !p.at("path").is_string() ||
          p.at("path").get<std::string>().rfind('/', 0) != 0) {
        sink.add(at, "an object with a name and a path (a JSON Pointer)", describe_json(p));
        continue;
      }
      sets.names.push_back(p.at("name").get<std::string>());
      sets.paths.push_back(p.at("path").get<std::string>());
    }
  }
  const auto draws = document.find("draws");
  if (draws == document.end() || !draws->is_array()) {
    sink.add("/draws", "an array of draws", "nothing (missing) or another value");
  } else if (sink.empty()) {
    for (std::size_t i = 0; i < draws->size(); ++i) {
      const auto& d = (*draws)[i];
      const std::string at = "/draws/" + std::to_string(i);
      if (!d.is_object() || !d.contains("accepted") || !d.at("accepted").is_boolean() ||
          !d.contains("draw") || !d.at("draw").is_number_integer() || !d.contains("values") ||
          !d.at("values").is_object()) {
        sink.add(at, "an object with draw, values and accepted", describe_json(d));
        continue;
      }
      if (!d.at("accepted").get<bool>()) continue;
      std::vector<nlohmann::json> values;
      for (const auto& name : sets.names) {
        const auto it = d.at("values").find(name);
        if (it == d.at("values").end() || !it->is_number()) {
          sink.add(at + "/values/" + name, "a number",
                   it == d.at("values").end() ? "nothing (missing)" : describe_json(*it));
          continue;
        }
        values.push_back(*it);
      }
      sets.draws.push_back(d.at("draw").get<int>());
      sets.values.push_back(std::move(values));
    }
    if (sink.empty() && sets.values.empty())
      sink.add("/draws", "at least one accepted draw (\"accepted\": true)",
               "none of " + std::to_string(draws->size()) + " accepted");
  }
  if (!sink.empty()) throw InputError(sink.take());
  return sets;
}

void check_parameter_sets_scenario(const ParameterSets& sets, const std::string& scenario_file,
                                   const std::string& scenario_sha256, const std::string& origin) {
  if (sets.scenario_sha256 == scenario_sha256) return;
  throw InputError({InputProblem{
      origin, "",
      "a calibration of " + scenario_file + " (SHA-256 " + scenario_sha256.substr(0, 12) +
          "...): its draws belong to the scenario they were accepted for",
      sets.file + ", made for " + sets.scenario_file + " (SHA-256 " +
          sets.scenario_sha256.substr(0, 12) + "...); calibrate this scenario again"}});
}

}  // namespace tenderlab::analysis
