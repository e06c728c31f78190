#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/commands.hpp"
#include "app/file_kind.hpp"
#include "app/output.hpp"
#include "app/simulation_glue.hpp"
#include "tenderlab/analysis/output_directory.hpp"
#include "tenderlab/analysis/run_pool.hpp"
#include "tenderlab/engine/event_log.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/kernel.hpp"
#include "tenderlab/engine/scenario_loader.hpp"
#include "tenderlab/engine/sha256.hpp"
#include "tenderlab/version.hpp"

namespace tenderlab::app {
namespace {

/// Notes SIGINT and SIGTERM while a run's child works, instead of dying with the staging folder
/// still on disk; restores the previous handlers when it goes.
class InterruptGuard {
 public:
  InterruptGuard() {
    flag_ = 0;
    struct sigaction action {};
    action.sa_handler = [](int) { flag_ = 1; };
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &previous_int_);
    ::sigaction(SIGTERM, &action, &previous_term_);
  }
  ~InterruptGuard() {
    ::sigaction(SIGINT, &previous_int_, nullptr);
    ::sigaction(SIGTERM, &previous_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  bool interrupted() const { return flag_ != 0; }

 private:
  static inline volatile std::sig_atomic_t flag_ = 0;
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace

SimulationRecord simulate_with_report(const Scenario& scenario, const SimulationOptions& options,
                                      std::ostream* events_out,
                                      analysis::RunReport::Printer timeline) {
  SimulationRecord record{analysis::RunReport(std::move(timeline), scenario.history), 0, {}};
  simulate(scenario, options, events_out,
           {[&record](const Event& event) { record.report.observe(event); }}, &record.events,
           &record.event_log_sha256);
  return record;
}

int run_command(const RunArguments& arguments) {
  Scenario scenario;
  std::string scenario_sha256;
  try {
    // One read: the hash in the manifest is the hash of the bytes that were simulated.
    const std::string bytes = read_input_file(arguments.scenario);
    scenario = scenario_from_json(parse_json_text(bytes, arguments.scenario), arguments.scenario);
    scenario_sha256 = sha256_hex(bytes);
  } catch (const InputError& error) {
    print_load_error(error, arguments.scenario, FileKind::scenario);
    return bad_input;
  }
  std::filesystem::path out;
  std::optional<analysis::StagedDirectory> staged;
  try {
    if (arguments.out.empty()) {
      // The loader allows only plain names, so runs/<name> stays inside runs/; checked again
      // here because this path is about to be written.
      if (!is_safe_name(scenario.name))
        throw analysis::OutputExists(arguments.scenario + ": /name: expected " +
                                     safe_name_expected + ", found \"" + scenario.name + "\"");
      out = std::filesystem::path("runs") / scenario.name;
    } else {
      out = analysis::output_folder_path(arguments.out);
    }
    staged.emplace(out, arguments.force);
  } catch (const std::exception& error) {
    // The target cannot take the outputs, or the staging folder cannot be made: nothing ran,
    // nothing was touched.
    std::cerr << "error: " << error.what() << "\n";
    return bad_input;
  }

  SimulationOptions options;
  options.seed = arguments.seed.value_or(scenario.seed);
  options.replication = arguments.replication;
  options.verbose = arguments.verbose;
  options.simgrid_args = arguments.simgrid_args;

  // The simulation runs in a child process, so that an interrupt (Ctrl-C reaches the whole
  // process group) or a crash inside the engine leaves this process able to remove the staging
  // folder and report what happened.
  const analysis::StagedDirectory& staging = *staged;
  auto simulate_into_staging = [&](const analysis::RunTask&) {
    analysis::RunOutcome outcome;
    try {
      std::ofstream events(staging.file("events.jsonl"), std::ios::binary);
      if (!events)
        throw std::runtime_error(staging.file("events.jsonl").string() + ": cannot write");
      auto timeline = [&arguments](const std::string& line) {
        if (!arguments.quiet) std::cout << line << "\n";
      };
      SimulationRecord record = simulate_with_report(scenario, options, &events, timeline);
      events.close();
      if (!events) throw std::runtime_error("cannot write events.jsonl");
      staging.write("tenders.csv", record.report.tenders_csv());
      staging.write("timeseries.csv", record.report.timeseries_csv());
      staging.write("summary.json", record.report.summary().dump(2) + "\n");
      nlohmann::ordered_json manifest;
      manifest["format"] = "tenderlab-manifest/1";
      manifest["tenderlab_version"] = version;
      manifest["event_log_schema"] = event_log_schema_version;
      manifest["scenario"] = arguments.scenario;
      manifest["scenario_sha256"] = scenario_sha256;
      manifest["seed"] = options.seed;
      manifest["replication"] = options.replication;
      manifest["event_count"] = record.events;
      manifest["event_log_sha256"] = record.event_log_sha256;
      staging.write("manifest.json", manifest.dump(2) + "\n");
      outcome.status = "ok";
      outcome.kpis = {{"events", record.events}};
      outcome.event_log_sha256 = record.event_log_sha256;
    } catch (const RunError& error) {
      outcome.status = "failed";
      outcome.reason = std::string("the simulation failed: ") + error.what();
    } catch (const ModelError& error) {
      outcome.status = "failed";
      outcome.reason = std::string("internal model error: ") + error.what();
    } catch (const std::exception& error) {
      outcome.status = "failed";
      outcome.reason = error.what();
    }
    std::cout.flush();  // the child leaves with _exit: its buffers are not flushed for it
    return outcome;
  };

  InterruptGuard interrupts;
  const analysis::RunOutcome outcome = analysis::run_in_child(
      analysis::RunTask{"run", 0, 0, options.seed, {}}, simulate_into_staging);
  if (interrupts.interrupted()) {
    std::cerr << "interrupted: nothing was written to " << out.string() << "\n";
    return interrupted;
  }
  if (outcome.status != "ok") {
    std::cerr << "error: " << outcome.reason << "\n";
    return run_failed;
  }
  try {
    staged->commit();
  } catch (const analysis::OutputExists& error) {
    std::cerr << "error: " << error.what() << "\n";
    return bad_input;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return run_failed;
  }
  if (!arguments.quiet)
    std::cout << "outputs: " << out.string() << "/ (" << outcome.kpis.value("events", 0)
              << " events)\n";
  return ok;
}

}  // namespace tenderlab::app
