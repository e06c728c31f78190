#include <filesystem>
#include <iostream>

#include "app/commands.hpp"
#include "app/file_kind.hpp"
#include "app/output.hpp"
#include "app/simulation_glue.hpp"
#include "tenderlab/engine/event_log.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/kernel.hpp"
#include "tenderlab/engine/scenario_loader.hpp"
#include "tenderlab/engine/sha256.hpp"

namespace tenderlab::app {
namespace fs = std::filesystem;

int replay_command(const std::string& manifest_path, bool verify) {
  std::string scenario_path, scenario_sha256, event_log_sha256;
  std::uint64_t seed = 0, replication = 0, event_count = 0;
  try {
    const nlohmann::json manifest = read_json_file(manifest_path);
    ProblemSink sink(manifest_path);
    ObjectReader reader(manifest, "", sink);
    const std::string format = reader.string("format", "", true);
    if (!format.empty() && format != "tenderlab-manifest/1")
      sink.add("/format", "\"tenderlab-manifest/1\"", describe_json(format));
    reader.string("tenderlab_version", "");
    const auto schema = reader.integer("event_log_schema", event_log_schema_version, 1, 1000);
    if (schema != event_log_schema_version)
      sink.add("/event_log_schema",
               "event-log schema " + std::to_string(event_log_schema_version) +
                   " (this version of tenderlab)",
               std::to_string(schema));
    scenario_path = reader.string("scenario", "", true);
    scenario_sha256 = reader.string("scenario_sha256", "", true);
    seed = static_cast<std::uint64_t>(
        reader.integer("seed", 0, 0, std::numeric_limits<std::int64_t>::max(), true));
    replication = static_cast<std::uint64_t>(
        reader.integer("replication", 0, 0, std::numeric_limits<std::int64_t>::max(), true));
    event_count = static_cast<std::uint64_t>(
        reader.integer("event_count", 0, 0, std::numeric_limits<std::int64_t>::max(), true));
    event_log_sha256 = reader.string("event_log_sha256", "", true);
    reader.finish();
    if (!sink.empty()) throw InputError(sink.take());
  } catch (const InputError& error) {
    print_load_error(error, manifest_path, FileKind::manifest);
    return bad_input;
  }
  // The scenario path is recorded as given to `run`: try it as it is, then beside the run folder.
  fs::path scenario = scenario_path;
  if (!fs::exists(scenario) && scenario.is_relative()) {
    const fs::path beside = fs::path(manifest_path).parent_path().parent_path() / scenario;
    if (fs::exists(beside)) scenario = beside;
  }
  Scenario model;
  try {
    // One read: the bytes that are checked against the hash are the bytes that are simulated.
    const std::string bytes = read_input_file(scenario);
    if (sha256_hex(bytes) != scenario_sha256) {
      std::cerr << "error: " << scenario.string() << ": expected the scenario with SHA-256 "
                << scenario_sha256 << " recorded in " << manifest_path
                << ", found a different file\n";
      return bad_input;
    }
    model = scenario_from_json(parse_json_text(bytes, scenario.string()), scenario.string());
  } catch (const InputError& error) {
    print_input_error(error);
    return bad_input;
  }
  SimulationOptions options;
  options.seed = seed;
  options.replication = replication;
  try {
    SimulationRecord record = simulate_with_report(model, options, nullptr, {});
    if (!verify) {
      std::cout << "replayed " << scenario.string() << " (seed " << seed << ", replication "
                << replication << "): " << record.events << " events, event-log SHA-256 "
                << record.event_log_sha256 << "\n";
      return ok;
    }
    if (record.event_log_sha256 == event_log_sha256 && record.events == event_count) {
      std::cout << "verified: " << record.events << " events, event-log SHA-256 "
                << record.event_log_sha256 << " matches " << manifest_path << "\n";
      return ok;
    }
    std::cerr << "error: the replay differs from " << manifest_path << ": " << record.events
              << " events with SHA-256 " << record.event_log_sha256 << ", recorded " << event_count
              << " events with SHA-256 " << event_log_sha256
              << " (run `tenderlab run` with the same scenario, seed and replication, then "
                 "`tenderlab diff` the two run folders to find where they diverge)\n";
    return run_failed;
  } catch (const std::exception& error) {
    std::cerr << "error: the simulation failed: " << error.what() << "\n";
    return run_failed;
  }
}

}  // namespace tenderlab::app
