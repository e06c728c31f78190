#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "app/report_files.hpp"
#include "app/simulation_glue.hpp"
#include "tenderlab/analysis/calibration.hpp"
#include "tenderlab/analysis/kpi_catalog.hpp"
#include "tenderlab/analysis/report_builders.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"
#include "tenderlab/analysis/statistics.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/scenario_loader.hpp"
#include "tenderlab/engine/sha256.hpp"
#include "tenderlab/version.hpp"

namespace tenderlab::app {
namespace {
namespace fs = std::filesystem;

/// KPI values of one input, by pairing key (replication, or run id for databases).
using Samples = std::map<std::string, std::map<std::string, double>>;  // key -> kpi -> value

bool is_database(const std::string& path) {
  // Only a regular file is opened: a FIFO would block here (scenario files are then refused
  // with a clear message by read_json_file).
  std::error_code code;
  if (!fs::is_regular_file(path, code)) return false;
  std::ifstream in(path, std::ios::binary);
  char header[16] = {};
  in.read(header, sizeof header);
  return in.gcount() == 16 && std::string(header, 15) == "SQLite format 3";
}

void add_kpis(std::map<std::string, double>& into, const nlohmann::json& kpis) {
  if (!kpis.is_object()) return;
  for (const auto& [name, value] : kpis.items()) {
    if (value.is_number())
      into[name] = value.get<double>();
    else if (value.is_boolean())
      into[name] = value.get<bool>() ? 1.0 : 0.0;
  }
}

std::string fmt(double value) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(std::fabs(value) >= 100 ? 1 : 3) << value;
  return out.str();
}

/// Whether every name in `wanted` is one of `known`; prints the first that is not, with the
/// closest known name, as bad input.
bool unknown_kpis(const std::vector<std::string>& wanted, const std::vector<std::string>& known,
                  const std::string& whose) {
  for (const auto& name : wanted) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    const std::string closest = analysis::closest_name(name, known);
    std::cerr << "error: --kpis: expected a KPI " << whose << ", found \"" << name << "\""
              << (closest.empty() ? "" : "; did you mean `" + closest + "`?") << "\n";
    return false;
  }
  return true;
}

/// Removes a temporary folder when the comparison is done, whatever happens.
struct TemporaryFolder {
  fs::path path;
  TemporaryFolder() {
    char pattern[] = "/tmp/tenderlab-compare-XXXXXX";
    if (!::mkdtemp(pattern)) throw std::runtime_error("cannot create a temporary folder");
    path = pattern;
  }
  ~TemporaryFolder() {
    std::error_code code;
    fs::remove_all(path, code);
  }
};

}  // namespace

int compare_command(const CompareArguments& arguments) {
  if (arguments.inputs.size() < 2 || arguments.inputs.size() > 64) {
    std::cerr << "error: compare needs two to 64 scenarios or study databases, found "
              << arguments.inputs.size() << "\n";
    return bad_input;
  }
  const int target = report_errors(bad_input, [&] {
    if (!arguments.json.empty()) check_json_file_target(arguments.json);
    return ok;
  });
  if (target != ok) return target;
  const bool databases = is_database(arguments.inputs.front());
  std::vector<Samples> samples(arguments.inputs.size());
  std::vector<std::string> labels;
  // What identifies each input and its runs, for the reports' headers: the scenario file's
  // SHA-256 (a database's content digest), and a digest of its runs' event-log hashes.
  std::vector<std::string> input_hashes;
  std::vector<Sha256> event_log_hashes(arguments.inputs.size());
  std::optional<std::uint64_t> seed = arguments.seed;
  std::optional<analysis::ParameterSets> sets;
  const int loaded = report_errors(bad_input, [&]() -> int {
    check_output_path(arguments.html, "--html");
    check_output_path(arguments.xlsx, "--xlsx");
    if (databases) {
      if (!arguments.set.empty() || !arguments.parameter_sets.empty()) {
        std::cerr << "error: " << (arguments.set.empty() ? "--parameter-sets" : "--set")
                  << " changes scenarios; the inputs are results databases\n";
        return bad_input;
      }
      for (std::size_t i = 0; i < arguments.inputs.size(); ++i) {
        if (!is_database(arguments.inputs[i])) {
          std::cerr << "error: " << arguments.inputs[i]
                    << ": expected a results database like the first input, found another file\n";
          return bad_input;
        }
        analysis::ResultsStore store(arguments.inputs[i],
                                     analysis::ResultsStore::OpenMode::existing_only);
        labels.push_back(store.get_meta("name").value_or(arguments.inputs[i]));
        input_hashes.push_back(store.content_digest());
        for (const auto& run : store.runs())
          if (run.status == "ok") {
            add_kpis(samples[i][run.run_id], run.kpis);
            event_log_hashes[i].update(run.run_id + " " + run.event_log_sha256 + "\n");
          }
      }
    } else {
      // Scenarios: the same seeds and replication indices for every scenario (common random
      // numbers), so differences are paired run by run.
      // Each scenario is parsed once; a task names its scenario by `point` and carries nothing
      // else, and the forked run finds the document through the run function.
      std::vector<nlohmann::json> documents;
      std::vector<analysis::RunTask> tasks;
      const std::vector<ScenarioChange> changes = scenario_changes(arguments.set);
      if (!arguments.parameter_sets.empty()) {
        sets = analysis::load_parameter_sets(arguments.parameter_sets);
        // The draws belong to the scenario they were accepted for: one of the inputs must be
        // that file; the others are its variants (new terms) and run at the same draws.
        bool found = false;
        for (const auto& input : arguments.inputs)
          found = found || sha256_file(input) == sets->scenario_sha256;
        if (!found)
          throw InputError({InputProblem{
              "--parameter-sets", "",
              "a calibration of one of the compared scenarios (the draws belong to the scenario "
              "they were accepted for; the others run at them as its variants)",
              arguments.parameter_sets + ", a calibration of " + sets->scenario_file +
                  " (SHA-256 " + sets->scenario_sha256.substr(0, 12) +
                  "...), which none of the inputs is"}});
      }
      const std::size_t set_count = sets ? sets->size() : 1;
      const auto runs_per_input =
          static_cast<int>(set_count * static_cast<std::size_t>(arguments.replications));
      for (std::size_t i = 0; i < arguments.inputs.size(); ++i) {
        documents.push_back(read_scenario_document(arguments.inputs[i]));
        apply_scenario_changes(documents.back(), changes, "--set", arguments.inputs[i]);
        if (sets)
          for (const auto& pointer : sets->paths)
            if (!analysis::ensure_parent_objects(documents.back(), pointer))
              throw InputError({InputProblem{
                  arguments.inputs[i], pointer,
                  "a value the parameter sets of " + arguments.parameter_sets + " can set",
                  "nothing settable there"}});
        input_hashes.push_back(sha256_file(arguments.inputs[i]));
        const Scenario scenario = scenario_from_json(documents.back(), arguments.inputs[i]);
        if (!seed) seed = scenario.seed;
        // A misspelt --kpis name is refused before anything runs: the first input's KPIs are
        // the ones compared.
        if (i == 0 && !arguments.kpis.empty()) {
          std::vector<std::string> known;
          for (const auto& kpi : analysis::kpi_catalog(scenario))
            known.push_back(kpi.name);
          if (!unknown_kpis(arguments.kpis, known,
                            "a run of " + arguments.inputs[0] + " reports (`tenderlab kpis " +
                                arguments.inputs[0] + "`)"))
            return bad_input;
        }
        labels.push_back(scenario.name);
        // With parameter sets, replication r runs accepted draw r % sets (as `study` does), so
        // pairs are draw and seed alike.
        for (int r = 0; r < runs_per_input; ++r) {
          analysis::RunTask task;
          task.run_id = "s" + std::to_string(i) + "-r" + std::to_string(r);
          task.point = static_cast<int>(i);
          task.replication = r;
          task.seed = *seed;
          task.payload = {{"origin", arguments.inputs[i]}};
          if (sets) {
            const std::size_t set = static_cast<std::size_t>(r) % set_count;
            task.payload["patch"] = sets->patch(set);
            task.payload["origin"] = arguments.inputs[i] + " at parameter set " +
                                     std::to_string(set) + " (draw " +
                                     std::to_string(sets->draws[set]) + ")";
          }
          tasks.push_back(std::move(task));
        }
      }
      const auto run_scenario = [&documents](const analysis::RunTask& task) {
        return run_study_task(
            task, StudyRunContext{&documents.at(static_cast<std::size_t>(task.point)), ""});
      };
      TemporaryFolder folder;
      analysis::ResultsStore store((folder.path / "compare.sqlite").string());
      analysis::PoolOptions options;
      options.jobs = arguments.jobs;
      options.progress = !arguments.quiet;
      options.progress_lines = arguments.progress;
      const analysis::PoolReport pool = analysis::run_pool(tasks, run_scenario, store, options);
      if (pool.interrupted) return interrupted;
      for (const auto& run : store.runs()) {
        if (run.status != "ok") {
          std::cerr << "error: " << arguments.inputs[static_cast<std::size_t>(run.point)]
                    << " replication " << run.replication << " " << run.status << ": " << run.reason
                    << "\n";
          return run_failed;
        }
        const auto input = static_cast<std::size_t>(run.point);
        add_kpis(samples[input]["r" + std::to_string(run.replication)], run.kpis);
        event_log_hashes[input].update("r" + std::to_string(run.replication) + " " +
                                       run.event_log_sha256 + "\n");
      }
    }
    return ok;
  });
  if (loaded != ok) return loaded;

  // Pair on the keys every input has; compare each input with the first.
  std::set<std::string> keys;
  for (const auto& [key, kpis] : samples.front())
    keys.insert(key);
  for (std::size_t i = 1; i < samples.size(); ++i)
    for (auto it = keys.begin(); it != keys.end();)
      it = samples[i].count(*it) ? std::next(it) : keys.erase(it);
  std::set<std::string> reported;
  for (const auto& key : keys)
    for (const auto& [name, value] : samples.front().at(key))
      reported.insert(name);
  std::vector<std::string> kpi_names;
  std::string alias_note;
  if (!arguments.kpis.empty()) {
    if (!unknown_kpis(arguments.kpis, {reported.begin(), reported.end()}, "the runs report"))
      return bad_input;
    for (const auto& name : arguments.kpis)
      if (std::find(kpi_names.begin(), kpi_names.end(), name) == kpi_names.end())
        kpi_names.push_back(name);
  } else {
    kpi_names = unique_kpi_names(reported, alias_note);
  }

  nlohmann::ordered_json report;
  report["format"] = analysis::comparison_format;
  report["tenderlab_version"] = tenderlab::version;
  report["kind"] = databases ? "databases" : "scenarios";
  report["seed"] = databases ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(*seed);
  report["replications"] =
      databases ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(arguments.replications);
  if (sets)
    report["parameter_sets"] = {{"file", arguments.parameter_sets},
                                {"sha256", sets->sha256},
                                {"scenario_sha256", sets->scenario_sha256},
                                {"sets", sets->size()}};
  report["inputs"] = arguments.inputs;
  report["labels"] = labels;
  report["input_sha256"] = input_hashes;
  report["event_logs_sha256"] = nlohmann::ordered_json::array();
  for (const auto& hash : event_log_hashes)
    report["event_logs_sha256"].push_back(hash.hex_digest());
  report["pairs"] = keys.size();
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::cout << "paired comparison over " << keys.size()
            << (databases ? " common runs"
                : sets    ? " runs (" + std::to_string(sets->size()) + " parameter sets x " +
                             std::to_string(arguments.replications) +
                             " replications, common random numbers)"
                       : " replications (common random numbers)")
            << ":\n";
  for (std::size_t i = 0; i < labels.size(); ++i)
    std::cout << "  [" << i << "] " << labels[i] << " (" << arguments.inputs[i] << ")\n";
  for (const auto& change : arguments.set)
    std::cout << "  every scenario with --set " << change << "\n";
  if (sets)
    std::cout << "  every scenario at the " << sets->size() << " accepted parameter sets of "
              << arguments.parameter_sets << ", " << arguments.replications
              << " replications each\n";
  if (!alias_note.empty()) std::cout << alias_note << "\n";
  std::size_t name_width = 4, unit_width = 6;
  for (const auto& name : kpi_names) {
    name_width = std::max(name_width, name.size() + 2);
    unit_width = std::max(unit_width, analysis::kpi_unit(name).size() + 2);
  }
  const int kpi_width = static_cast<int>(name_width);
  std::cout << std::left << std::setw(kpi_width) << "KPI" << std::setw(static_cast<int>(unit_width))
            << "unit";
  for (std::size_t i = 0; i < labels.size(); ++i)
    std::cout << std::setw(12) << "[" + std::to_string(i) + "] mean";
  for (std::size_t i = 1; i < labels.size(); ++i)
    std::cout << std::setw(30) << "[" + std::to_string(i) + "]-[0] [95% CI]";
  std::cout << "\n";
  // A KPI some run did not record (a round that was not held) cannot be paired: it is named
  // below the table rather than dropped in silence.
  std::vector<std::string> incomplete;
  for (const auto& name : kpi_names) {
    std::vector<std::vector<double>> values(samples.size());
    bool complete = true;
    for (const auto& key : keys)
      for (std::size_t i = 0; i < samples.size(); ++i) {
        auto it = samples[i].at(key).find(name);
        if (it == samples[i].at(key).end())
          complete = false;
        else
          values[i].push_back(it->second);
      }
    if (!complete || values.front().empty()) {
      incomplete.push_back(name);
      continue;
    }
    nlohmann::ordered_json row;
    row["kpi"] = name;
    row["unit"] = analysis::kpi_unit(name);
    std::cout << std::setw(kpi_width) << name << std::setw(static_cast<int>(unit_width))
              << analysis::kpi_unit(name);
    nlohmann::ordered_json means = nlohmann::ordered_json::array();
    for (const auto& v : values) {
      const analysis::Summary s = analysis::summarize(v);
      means.push_back(s.mean);
      std::cout << std::setw(12) << fmt(s.mean);
    }
    row["means"] = means;
    nlohmann::ordered_json differences = nlohmann::ordered_json::array();
    for (std::size_t i = 1; i < values.size(); ++i) {
      const analysis::Summary d = analysis::paired_difference(values.front(), values[i]);
      const bool has_ci = !std::isnan(d.low);
      differences.push_back({{"mean", d.mean},
                             {"ci95_low", has_ci ? nlohmann::ordered_json(d.low) : nullptr},
                             {"ci95_high", has_ci ? nlohmann::ordered_json(d.high) : nullptr}});
      std::cout << std::setw(30)
                << fmt(d.mean) + (has_ci ? " [" + fmt(d.low) + ", " + fmt(d.high) + "]" : "");
    }
    row["differences"] = differences;
    rows.push_back(row);
    std::cout << "\n";
  }
  report["kpis"] = rows;
  if (!incomplete.empty()) {
    std::string names;
    for (const auto& name : incomplete)
      names += (names.empty() ? "" : ", ") + name;
    std::cout << "not compared (not recorded in every run, e.g. a round that was not held): "
              << names << "\n";
    report["not_compared"] = incomplete;
  }
  if (!arguments.json.empty()) write_json_file(arguments.json, report);
  if (!arguments.html.empty() || !arguments.xlsx.empty())
    write_report_files(
        analysis::comparison_document(nlohmann::json::parse(report.dump()), "compare"),
        arguments.html, arguments.xlsx);
  return ok;
}

}  // namespace tenderlab::app
