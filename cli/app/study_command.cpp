#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "app/commands.hpp"
#include "app/file_kind.hpp"
#include "app/output.hpp"
#include "app/simulation_glue.hpp"
#include "tenderlab/analysis/calibration.hpp"
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

analysis::PoolReport run_study_runs(const analysis::Study& study, analysis::ResultsStore& store,
                                    int jobs, bool quiet, const analysis::ProgressLines& progress) {
  const auto shared_study = std::make_shared<const analysis::Study>(study);
  const analysis::StudyTaskSource tasks(shared_study);
  const StudyRunContext context{&shared_study->base, shared_study->events_dir};
  analysis::PoolOptions options;
  options.jobs = jobs;
  options.progress = !quiet;
  options.progress_lines = progress;
  return analysis::run_pool(
      tasks, [&context](const analysis::RunTask& task) { return run_study_task(task, context); },
      store, options);
}

analysis::RunOutcome run_study_task(const analysis::RunTask& task, const StudyRunContext& context) {
  analysis::RunOutcome outcome;
  const std::string task_origin = "run task " + task.run_id;
  const analysis::StudyRunPayload payload =
      analysis::parse_study_payload(task.payload, task_origin);
  const Scenario scenario = scenario_from_json(
      analysis::study_run_scenario(payload, context.base, task_origin), payload.origin);
  SimulationOptions options;
  options.seed = task.seed;
  options.replication = static_cast<std::uint64_t>(task.replication);
  // A kept log is written as the run goes, every write checked, and put in place only once it
  // is whole and hashes to the run's event-log hash: a full disk fails the run, it does not
  // leave a truncated log beside an "ok" row.
  std::optional<analysis::KeptEventLog> kept;
  if (!payload.events_file.empty())
    kept.emplace(
        analysis::confine_events_file(payload.events_file, context.events_dir, task_origin));
  SimulationRecord record =
      simulate_with_report(scenario, options, kept ? &kept->stream() : nullptr, {});
  if (kept) kept->commit(record.event_log_sha256);
  const auto kpis = record.report.kpis();
  if (!payload.kpis.empty()) {
    for (const auto& name : payload.kpis) {
      auto it = kpis.find(name);
      outcome.kpis[name] = it == kpis.end() ? nlohmann::json(nullptr) : nlohmann::json(it->second);
    }
  } else {
    for (const auto& [name, value] : kpis)
      outcome.kpis[name] = value;
  }
  for (const auto& effect : record.report.stay_away_effects())
    outcome.stay_away.push_back({effect.call, effect.round, effect.agent, effect.role,
                                 effect.clause, effect.effect_bn_krw});
  outcome.status = "ok";
  outcome.event_log_sha256 = record.event_log_sha256;
  return outcome;
}

namespace {

/// report_errors, with a refused database (another study's, not a results database, one another
/// process is writing to) reported as bad input or usage: exit 2, nothing ran.
template <class Body>
int report_refusals(int other_errors, Body&& body) {
  return report_errors(other_errors, [&]() -> int {
    try {
      return body();
    } catch (const analysis::DatabaseRefusedError& error) {
      std::cerr << "error: " << error.what() << "\n";
      return bad_input;
    }
  });
}

/// What `study --dry-run` prints: the checked study, how many runs it has and where they would
/// be recorded. load_study has already checked everything a run would (factors at the corners of
/// the design, KPI names, the outcome, the size).
void print_dry_run(const analysis::Study& study) {
  const std::size_t runs = study.points * static_cast<std::size_t>(study.replications);
  std::cout << "study " << study.name << " (" << study.file << "): valid\n";
  std::cout << "  base scenario: " << study.base_path << "\n";
  std::cout << "  design: " << analysis::to_string(study.design.kind) << ", " << study.points
            << " points x " << study.replications << " replications = " << runs << " runs (at most "
            << analysis::max_study_runs << ")\n";
  if (study.parameter_sets)
    std::cout << "  parameter sets: " << study.parameter_sets->size() << " accepted draws of "
              << study.parameter_sets_path << ", "
              << study.replications / static_cast<int>(study.parameter_sets->size())
              << " replications each (replication r runs draw r mod "
              << study.parameter_sets->size() << ")\n";
  for (const auto& factor : study.factors) {
    std::cout << "  factor " << factor.name << " at " << factor.path << ": ";
    if (factor.discrete()) {
      for (std::size_t i = 0; i < factor.values.size(); ++i)
        std::cout << (i ? ", " : "") << factor.values[i].dump();
    } else {
      std::cout << "[" << factor.min << ", " << factor.max << "]"
                << (factor.integer ? " (whole numbers)" : "");
    }
    std::cout << "\n";
  }
  std::cout << "  KPIs kept: ";
  if (study.kpis.empty()) std::cout << "every KPI a run reports";
  for (std::size_t i = 0; i < study.kpis.size(); ++i)
    std::cout << (i ? ", " : "") << study.kpis[i];
  std::cout << "\n  outcome: " << study.outcome.describe() << "\n";
  std::error_code code;
  std::cout << "  database: " << study.database
            << (fs::exists(study.database, code) ? " (exists: recorded runs are not run again)"
                                                 : " (new)")
            << "\nnothing was run (--dry-run)\n";
}

}  // namespace

std::unique_ptr<analysis::ResultsStore> open_study_store(const std::string& study_file,
                                                         const std::string& database) {
  const analysis::StudySetup setup = analysis::load_study_setup(study_file);
  auto store = std::make_unique<analysis::ResultsStore>(
      database, analysis::ResultsStore::OpenMode::create_if_missing,
      analysis::ResultsStore::Access::exclusive_writer);
  // The design points follow the claim a few thousand per transaction: a large design is never
  // held in memory whole.
  store->claim_for_study(study_file, setup.meta, {});
  analysis::record_study_points(*store, *setup.study);
  return store;
}

int study_command(const StudyArguments& arguments) {
  analysis::Study study;
  try {
    study = analysis::load_study(arguments.study);
  } catch (const InputError& error) {
    print_load_error(error, arguments.study, FileKind::study);
    return bad_input;
  }
  if (!arguments.database.empty()) analysis::set_database(study, arguments.database);
  const std::string database = study.database;
  if (arguments.dry_run) {
    print_dry_run(study);
    return ok;
  }
  return report_refusals(run_failed, [&] {
    if (!arguments.json.empty()) check_json_file_target(arguments.json);  // before any run
    auto store = open_study_store(arguments.study, database);
    // A crashed run died of something outside the model (a kill, the OOM killer): it is run again
    // by default. A failed run is the model's own, deterministic answer: again only when asked.
    const std::size_t retried_crashed = store->forget_runs({"crashed"});
    const std::size_t retried_failed = arguments.retry_failed ? store->forget_runs({"failed"}) : 0;
    const analysis::PoolReport pool =
        run_study_runs(study, *store, arguments.jobs, arguments.quiet, arguments.progress);
    if (pool.interrupted) {
      std::cerr << "interrupted: " << pool.ok + pool.failed + pool.crashed << " runs recorded in "
                << database << "; run the same command to resume\n";
      return interrupted;
    }
    const analysis::StudyReport report = analysis::report_study(study, *store);
    if (!arguments.quiet) {
      std::cout << "runs: " << pool.total << " (" << pool.skipped << " already recorded, ";
      if (retried_crashed > 0) std::cout << retried_crashed << " crashed retried, ";
      if (retried_failed > 0) std::cout << retried_failed << " failed retried, ";
      std::cout << pool.ok << " ok, " << pool.failed << " failed, " << pool.crashed
                << " crashed) in " << pool.wall_seconds << " s; database " << database << "\n\n";
      std::cout << report.text;
    }
    if (!arguments.json.empty()) write_json_file(arguments.json, report.data);
    std::cout.flush();
    // The database decides, not this pass: a run that failed or crashed in an earlier pass and
    // was not retried is still missing from the results.
    const analysis::StatusCounts recorded = store->status_counts();
    if (recorded.failed + recorded.crashed > 0) {
      std::cerr << "error: " << recorded.failed << " failed and " << recorded.crashed
                << " crashed runs in " << database << " (reasons in its runs table); "
                << analysis::how_to_retry(recorded) << "\n";
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
    store.check_study(study_file, analysis::load_study_setup(study_file).meta);
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

int worker_command(const std::string& events_dir) {
  // Task lines are large (a scenario each); C++ streams not tied to C stdio read them faster.
  std::ios::sync_with_stdio(false);
  const StudyRunContext context{nullptr, events_dir};
  return analysis::serve_worker(std::cin, std::cout, [&context](const analysis::RunTask& task) {
    return run_study_task(task, context);
  });
}

}  // namespace tenderlab::app
