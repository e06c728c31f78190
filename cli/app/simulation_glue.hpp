#pragma once
// Runs one simulation and condenses it with the analysis layer's report: shared by `run`,
// `replay` and the study runner's child processes.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tenderlab/agents/simulation.hpp"
#include "tenderlab/analysis/run_pool.hpp"
#include "tenderlab/analysis/run_report.hpp"
#include "tenderlab/analysis/study.hpp"

namespace tenderlab::app {

struct SimulationRecord {
  analysis::RunReport report;
  std::uint64_t events = 0;
  std::string event_log_sha256;
};

/// Throws RunError when the simulation fails.
SimulationRecord simulate_with_report(const Scenario& scenario, const SimulationOptions& options,
                                      std::ostream* events_out,
                                      analysis::RunReport::Printer timeline);

/// What a study run needs besides its task: shared with the forked child, not sent in the task.
struct StudyRunContext {
  /// The scenario a task's changes apply to when its payload carries none (the study's base,
  /// parsed once by the parent).
  const nlohmann::json* base = nullptr;
  /// The folder where kept event logs may go; empty: none may be kept.
  std::string events_dir;
};

/// Runs one study run (a task whose payload is a study run payload, analysis/study_tasks.hpp):
/// status "ok" with its KPIs and event-log hash. Throws on bad payloads, invalid scenarios,
/// failed simulations and event logs that cannot be kept whole; the runner records the run as
/// failed with the reason.
analysis::RunOutcome run_study_task(const analysis::RunTask& task, const StudyRunContext& context);

/// Runs a study's runs that `store` has not recorded, `jobs` at a time, each in a forked child:
/// the tasks are built one at a time from the design, and the base scenario, parsed once,
/// reaches every run through its context. Progress on stderr unless `quiet`.
analysis::PoolReport run_study_runs(const analysis::Study& study, analysis::ResultsStore& store,
                                    int jobs, bool quiet, const analysis::ProgressLines& progress);

}  // namespace tenderlab::app
