#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/commands.hpp"
#include "app/file_kind.hpp"
#include "app/output.hpp"
#include "app/simulation_glue.hpp"
#include "tenderlab/agents/gpu_supply.hpp"
#include "tenderlab/analysis/output_directory.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"
#include "tenderlab/analysis/study_tasks.hpp"
#include "tenderlab/engine/event_log.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/kernel.hpp"
#include "tenderlab/engine/scenario_loader.hpp"
#include "tenderlab/engine/sha256.hpp"
#include "tenderlab/version.hpp"

namespace tenderlab::app {
namespace fs = std::filesystem;
namespace {

/// Notes SIGINT and SIGTERM while a run's child works, instead of dying with the staging folder
/// still on disk (the child is then stopped and the folder removed); restores the previous
/// handlers when it goes.
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
  const volatile std::sig_atomic_t* flag() const { return &flag_; }

 private:
  static inline volatile std::sig_atomic_t flag_ = 0;
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace

namespace {

/// The GPUs the agents run at the start, in the generation fleets start with: counted towards
/// the programme's national targets.
std::vector<analysis::StartingGpus> gpus_at_start(const Scenario& scenario) {
  const GpuGenerationSpec* oldest = oldest_generation(scenario);
  std::vector<analysis::StartingGpus> start;
  for (const AgentSpec& agent : scenario.agents)
    if (agent.gpus > 0) start.push_back({agent.id, agent.gpus, oldest ? oldest->id : ""});
  return start;
}

}  // namespace

SimulationRecord simulate_with_report(const Scenario& scenario, const SimulationOptions& options,
                                      std::ostream* events_out,
                                      analysis::RunReport::Printer timeline) {
  SimulationRecord record{analysis::RunReport(std::move(timeline), scenario.history,
                                              scenario.programme.targets, gpus_at_start(scenario)),
                          0,
                          {}};
  simulate(scenario, options, events_out,
           {[&record](const Event& event) { record.report.observe(event); }}, &record.events,
           &record.event_log_sha256);
  return record;
}

namespace {

/// What a run simulates and what its manifest says about where that came from.
struct RunInput {
  Scenario scenario;
  /// The scenario's bytes to write into the run folder as scenario.json (runs rebuilt from a
  /// database, whose scenario is in no file); empty for runs of a scenario file.
  std::string scenario_file_bytes;
  /// Manifest entries naming the scenario: scenario, scenario_sha256, and for a rebuilt run its
  /// origin.
  nlohmann::ordered_json manifest = nlohmann::ordered_json::object();
  std::uint64_t seed = 0;
  std::uint64_t replication = 0;
  /// Output folder name under runs/ when no --out is given.
  std::string default_name;
  /// Names the input in messages.
  std::string origin;
  /// The event-log hash the run must reproduce (runs rebuilt from a database).
  std::string expected_event_log_sha256;
};

RunInput scenario_file_input(const RunArguments& arguments) {
  RunInput input;
  // One read: the hash in the manifest is the hash of the bytes that were simulated.
  const std::string bytes = read_input_file(arguments.scenario);
  nlohmann::json parsed = parse_json_text(bytes, arguments.scenario);
  const bool variant = parsed.is_object() && parsed.contains("extends");
  nlohmann::json document = resolve_scenario_document(parsed, arguments.scenario);
  const std::string resolved_sha256 = variant ? resolved_scenario_sha256(document) : "";
  const std::vector<ScenarioChange> changes = scenario_changes(arguments.set);
  apply_scenario_changes(document, changes, "--set", arguments.scenario);
  input.scenario = scenario_from_json(document, arguments.scenario);
  input.manifest["scenario"] = arguments.scenario;
  input.manifest["scenario_sha256"] = sha256_hex(bytes);
  if (variant) input.manifest["resolved_scenario_sha256"] = resolved_sha256;
  // The overrides, in order, so that `replay` simulates what ran.
  if (!changes.empty()) {
    input.manifest["set"] = nlohmann::ordered_json::array();
    for (const auto& change : changes)
      input.manifest["set"].push_back({{"path", change.pointer}, {"value", change.value}});
  }
  input.seed = arguments.seed.value_or(input.scenario.seed);
  input.replication = arguments.replication;
  input.default_name = input.scenario.name;
  input.origin = arguments.scenario;
  return input;
}

/// A study run rebuilt from its results database: its scenario, seed and replication as
/// recorded; --seed and --replication would make it another run.
RunInput recorded_run_input(const RunArguments& arguments) {
  const std::string& database = arguments.from.at(0);
  const std::string& run_id = arguments.from.at(1);
  if (arguments.seed || arguments.replication != 0 || !arguments.set.empty())
    throw InputError({InputProblem{"--from", "",
                                   "no --seed, --replication or --set (the run's own scenario, "
                                   "seed and replication are recorded)",
                                   "--seed, --replication or --set given"}});
  analysis::ResultsStore store(database, analysis::ResultsStore::OpenMode::existing_only);
  analysis::RecordedRun recorded = analysis::recorded_run(store, run_id);
  RunInput input;
  const std::string origin = database + " run " + run_id;
  input.scenario = scenario_from_json(recorded.scenario, origin);
  input.scenario_file_bytes = recorded.scenario.dump(2) + "\n";
  input.manifest["scenario"] = "scenario.json";
  input.manifest["scenario_sha256"] = sha256_hex(input.scenario_file_bytes);
  input.manifest["scenario_from_run"] = "scenario.json";
  input.manifest["from"] = {{"database", fs::absolute(database).lexically_normal().string()},
                            {"study", recorded.study_name},
                            {"run_id", run_id}};
  input.seed = recorded.run.seed;
  input.replication = static_cast<std::uint64_t>(recorded.run.replication);
  input.default_name =
      (recorded.study_name.empty() ? std::string("study") : recorded.study_name) + "-" + run_id;
  input.origin = origin;
  input.expected_event_log_sha256 = recorded.run.event_log_sha256;
  return input;
}

}  // namespace

int run_command(const RunArguments& arguments) {
  if (arguments.from.empty() == arguments.scenario.empty()) {
    std::cerr << "error: run needs a SCENARIO file or --from DATABASE RUN_ID, not "
              << (arguments.from.empty() ? "neither" : "both") << "\n";
    return bad_input;
  }
  RunInput input;
  // Whatever stops the preparation (a bad scenario, a file that is not a results database, an
  // unknown run id) is bad input: nothing ran.
  const int prepared = report_errors(bad_input, [&]() -> int {
    if (!arguments.json.empty()) check_json_file_target(arguments.json);
    if (!arguments.from.empty()) {
      input = recorded_run_input(arguments);
      return ok;
    }
    try {
      input = scenario_file_input(arguments);
    } catch (const InputError& error) {
      // A study, a summary or a run folder given as the scenario is named as what it is.
      print_load_error(error, arguments.scenario, FileKind::scenario);
      return bad_input;
    }
    return ok;
  });
  if (prepared != ok) return prepared;
  const Scenario& scenario = input.scenario;
  std::filesystem::path out;
  std::optional<analysis::StagedDirectory> staged;
  try {
    if (arguments.out.empty()) {
      // The loader allows only plain names, so runs/<name> stays inside runs/; checked again
      // here because this path is about to be written.
      if (!is_safe_name(input.default_name))
        throw analysis::OutputExists(input.origin + ": /name: expected " + safe_name_expected +
                                     ", found \"" + input.default_name + "\"");
      out = std::filesystem::path("runs") / input.default_name;
    } else {
      out = analysis::output_folder_path(arguments.out);
    }
    staged.emplace(out, arguments.force);
    // The scenario as seen from the run folder, so that `replay` finds it from any current
    // folder (and after the run folder and its scenarios moved together). A path, not the
    // current folder: the manifest stays free of where the user stood.
    if (!input.manifest.contains("scenario_from_run")) {
      std::error_code code;
      const fs::path from_run = fs::weakly_canonical(arguments.scenario, code)
                                    .lexically_relative(fs::weakly_canonical(out, code));
      if (!code && !from_run.empty()) input.manifest["scenario_from_run"] = from_run.string();
    }
  } catch (const std::exception& error) {
    // The target cannot take the outputs, or the staging folder cannot be made: nothing ran,
    // nothing was touched.
    std::cerr << "error: " << error.what() << "\n";
    return bad_input;
  }

  SimulationOptions options;
  options.seed = input.seed;
  options.replication = input.replication;
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
      staging.write("gpus_online.csv", record.report.gpus_online_csv());
      staging.write("compute.csv", record.report.compute_csv());
      staging.write("summary.json", record.report.summary().dump(2) + "\n");
      for (const std::string& line : record.report.programme_verdict())
        timeline(line);
      for (const std::string& line : record.report.compute_verdict())
        timeline(line);
      if (!input.scenario_file_bytes.empty())
        staging.write("scenario.json", input.scenario_file_bytes);
      nlohmann::ordered_json manifest;
      manifest["format"] = "tenderlab-manifest/1";
      manifest["tenderlab_version"] = version;
      manifest["event_log_schema"] = event_log_schema_version;
      for (const char* key : {"scenario", "scenario_sha256", "resolved_scenario_sha256",
                              "scenario_from_run", "set", "from"})
        if (input.manifest.contains(key)) manifest[key] = input.manifest.at(key);
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
  // A signal stops the run at once (a terminal's Ctrl-C reaches the child too; `kill`, `timeout`
  // or a batch system's SIGTERM reach only this process).
  const analysis::RunOutcome outcome = analysis::run_in_child(
      analysis::RunTask{"run", 0, 0, options.seed, {}}, simulate_into_staging, interrupts.flag());
  if (interrupts.interrupted()) {
    std::cerr << "interrupted: nothing was written to " << out.string() << "\n";
    return interrupted;
  }
  if (outcome.status != "ok") {
    std::cerr << "error: " << outcome.reason << "\n";
    return run_failed;
  }
  if (!input.expected_event_log_sha256.empty() &&
      outcome.event_log_sha256 != input.expected_event_log_sha256) {
    // Nothing is put in place: these outputs are not those of the recorded run.
    std::cerr << "error: " << input.origin << " did not reproduce: event-log SHA-256 "
              << outcome.event_log_sha256 << ", recorded " << input.expected_event_log_sha256
              << " (another tenderlab version, or a model change since the study ran); nothing "
                 "was written to "
              << out.string() << "\n";
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
  if (!arguments.json.empty()) {
    // Read back from the folder now in place: the JSON says what the files say.
    return report_errors(run_failed, [&] {
      nlohmann::ordered_json result;
      result["outputs"] = out.string();
      result["manifest"] = nlohmann::ordered_json::parse(read_input_file(out / "manifest.json"));
      result["summary"] = nlohmann::ordered_json::parse(read_input_file(out / "summary.json"));
      write_json_file(arguments.json, result);
      return ok;
    });
  }
  return ok;
}

}  // namespace tenderlab::app
