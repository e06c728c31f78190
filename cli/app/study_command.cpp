#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "app/simulation_glue.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"
#include "tenderlab/analysis/study.hpp"
#include "tenderlab/analysis/study_report.hpp"
#include "tenderlab/analysis/study_tasks.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/kernel.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

namespace tenderlab::app {
namespace fs = std::filesystem;

analysis::RunOutcome run_study_task(const analysis::RunTask& task) {
  analysis::RunOutcome outcome;
  const std::string origin = task.payload.value("origin", std::string("study run"));
  const Scenario scenario = scenario_from_json(task.payload.at("scenario"), origin);
  SimulationOptions options;
  options.seed = task.seed;
  options.replication = static_cast<std::uint64_t>(task.replication);
  const auto& events_file = task.payload.contains("events_file") ? task.payload.at("events_file")
                                                                 : nlohmann::json(nullptr);
  std::optional<std::ofstream> events;
  std::string staging;
  if (events_file.is_string()) {
    const fs::path target = events_file.get<std::string>();
    fs::create_directories(target.parent_path());
    staging = target.string() + ".partial-" + std::to_string(::getpid());
    events.emplace(staging, std::ios::binary);
  }
  SimulationRecord record =
      simulate_with_report(scenario, options, events ? &*events : nullptr, {});
  if (events) {
    events->close();
    fs::rename(staging, events_file.get<std::string>());
  }
  const auto kpis = record.report.kpis();
  const auto& wanted = task.payload.contains("kpis") ? task.payload.at("kpis") : nlohmann::json();
  if (wanted.is_array() && !wanted.empty()) {
    for (const auto& name : wanted) {
      auto it = kpis.find(name.get<std::string>());
      outcome.kpis[name.get<std::string>()] =
          it == kpis.end() ? nlohmann::json(nullptr) : nlohmann::json(it->second);
    }
  } else {
    for (const auto& [name, value] : kpis)
      outcome.kpis[name] = value;
  }
  outcome.status = "ok";
  outcome.event_log_sha256 = record.event_log_sha256;
  return outcome;
}

namespace {

/// Refuses a database that holds the results of another study, or of another version of it.
void check_owner(analysis::ResultsStore& store, const std::string& study_file,
                 const std::string& study_sha256) {
  const auto recorded = store.get_meta("study_sha256");
  if (recorded && *recorded != study_sha256)
    throw InputError({InputProblem{
        store.path(), "",
        "a results database of " + study_file + " (study SHA-256 " + study_sha256 + ")",
        "the results of another study, or of another version of it (study SHA-256 " + *recorded +
            "); use another --db or remove it"}});
}

/// Opens the study's database and records what it is about; refuses a database that holds
/// another study's runs.
std::unique_ptr<analysis::ResultsStore> open_store(const std::string& study_file,
                                                   const std::string& database) {
  const analysis::StudySetup setup = analysis::load_study_setup(study_file);
  auto store = std::make_unique<analysis::ResultsStore>(database);
  check_owner(*store, study_file, setup.meta.at("study_sha256"));
  for (const auto& [key, value] : setup.meta)
    store->set_meta(key, value);
  store->record_points(setup.points);
  return store;
}

}  // namespace

int study_command(const StudyArguments& arguments) {
  analysis::Study study;
  try {
    study = analysis::load_study(arguments.study);
  } catch (const InputError& error) {
    print_input_error(error);
    return bad_input;
  }
  if (!arguments.database.empty()) analysis::set_database(study, arguments.database);
  const std::string database = study.database;
  return report_errors(run_failed, [&] {
    if (!arguments.json.empty()) check_json_file_target(arguments.json);  // before any run
    auto store = open_store(arguments.study, database);
    const std::vector<analysis::RunTask> tasks = analysis::expand_study(study);
    analysis::PoolOptions options;
    options.jobs = arguments.jobs;
    options.progress = !arguments.quiet;
    const analysis::PoolReport pool = analysis::run_pool(tasks, run_study_task, *store, options);
    if (pool.interrupted) {
      std::cerr << "interrupted: " << pool.ok + pool.failed + pool.crashed << " runs recorded in "
                << database << "; run the same command to resume\n";
      return interrupted;
    }
    const analysis::StudyReport report = analysis::report_study(study, *store);
    if (!arguments.quiet) {
      std::cout << "runs: " << pool.total << " (" << pool.skipped << " already recorded, "
                << pool.ok << " ok, " << pool.failed << " failed, " << pool.crashed
                << " crashed) in " << pool.wall_seconds << " s; database " << database << "\n\n";
      std::cout << report.text;
    }
    if (!arguments.json.empty()) write_json_file(arguments.json, report.data);
    std::cout.flush();
    if (pool.failed + pool.crashed > 0) {
      std::cerr << "error: " << pool.failed + pool.crashed
                << " runs failed or crashed; their reasons are in the runs table of " << database
                << "\n";
      return run_failed;
    }
    return ok;
  });
}

int report_command(const std::string& study_file, const std::string& database,
                   const std::string& json, bool digest_only, const std::string& outcome) {
  return report_errors(bad_input, [&] {
    analysis::Study study = analysis::load_study(study_file);
    if (!outcome.empty()) study.outcome = analysis::parse_outcome(outcome, "--outcome");
    analysis::ResultsStore store(database.empty() ? study.database : database,
                                 analysis::ResultsStore::OpenMode::existing_only);
    check_owner(store, study_file, study.study_sha256);
    if (digest_only) {
      std::cout << store.content_digest() << "\n";
      return ok;
    }
    const analysis::StudyReport report = analysis::report_study(study, store);
    if (report.data["outcome_recorded"] == false)
      throw InputError({InputProblem{"--outcome", "", "a KPI that the study's runs recorded",
                                     "\"" + study.outcome.kpi + "\", which no run recorded"}});
    std::cout << report.text;
    if (!json.empty()) write_json_file(json, report.data);
    return ok;
  });
}

int worker_command() {
  return analysis::serve_worker(std::cin, std::cout, run_study_task);
}

}  // namespace tenderlab::app
