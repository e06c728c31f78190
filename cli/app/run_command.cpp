#include <fstream>
#include <iostream>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "app/simulation_glue.hpp"
#include "tenderlab/analysis/output_directory.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/kernel.hpp"
#include "tenderlab/engine/scenario_loader.hpp"
#include "tenderlab/engine/sha256.hpp"
#include "tenderlab/version.hpp"

namespace tenderlab::app {

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
    scenario = load_scenario(arguments.scenario);
    scenario_sha256 = sha256_file(arguments.scenario);
  } catch (const InputError& error) {
    print_input_error(error);
    return bad_input;
  }
  const std::string out = arguments.out.empty() ? "runs/" + scenario.name : arguments.out;
  std::optional<analysis::StagedDirectory> staged;
  try {
    staged.emplace(out, arguments.force);
  } catch (const analysis::OutputExists& error) {
    std::cerr << "error: " << error.what() << "\n";
    return bad_input;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return bad_input;
  }

  SimulationOptions options;
  options.seed = arguments.seed.value_or(scenario.seed);
  options.replication = arguments.replication;
  options.verbose = arguments.verbose;
  options.simgrid_args = arguments.simgrid_args;

  std::ofstream events(staged->file("events.jsonl"), std::ios::binary);
  if (!events) {
    std::cerr << "error: " << staged->file("events.jsonl").string() << ": cannot write\n";
    return bad_input;
  }
  auto timeline = [&arguments](const std::string& line) {
    if (!arguments.quiet) std::cout << line << "\n";
  };
  try {
    SimulationRecord record = simulate_with_report(scenario, options, &events, timeline);
    events.close();
    if (!events) throw std::runtime_error("cannot write events.jsonl");
    staged->write("tenders.csv", record.report.tenders_csv());
    staged->write("timeseries.csv", record.report.timeseries_csv());
    staged->write("summary.json", record.report.summary().dump(2) + "\n");
    nlohmann::ordered_json manifest;
    manifest["format"] = "tenderlab-manifest/1";
    manifest["tenderlab_version"] = version;
    manifest["scenario"] = arguments.scenario;
    manifest["scenario_sha256"] = scenario_sha256;
    manifest["seed"] = options.seed;
    manifest["replication"] = options.replication;
    manifest["event_count"] = record.events;
    manifest["event_log_sha256"] = record.event_log_sha256;
    staged->write("manifest.json", manifest.dump(2) + "\n");
    staged->commit();
    if (!arguments.quiet) std::cout << "outputs: " << out << "/ (" << record.events << " events)\n";
    return ok;
  } catch (const RunError& error) {
    std::cerr << "error: the simulation failed: " << error.what() << "\n";
    return run_failed;
  } catch (const ModelError& error) {
    std::cerr << "error: internal model error: " << error.what() << "\n";
    return run_failed;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return run_failed;
  }
}

}  // namespace tenderlab::app
