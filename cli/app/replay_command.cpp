#include <filesystem>
#include <iostream>
#include <optional>
#include <vector>

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
  std::string scenario_path, scenario_sha256, scenario_from_run, event_log_sha256;
  std::string resolved_sha256;  ///< a variant's resolved scenario, when the run was of one
  std::uint64_t seed = 0, replication = 0, event_count = 0;
  std::vector<ScenarioChange> changes;
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
    resolved_sha256 = reader.string("resolved_scenario_sha256", "");
    scenario_from_run = reader.string("scenario_from_run", "");
    seed = static_cast<std::uint64_t>(
        reader.integer("seed", 0, 0, std::numeric_limits<std::int64_t>::max(), true));
    replication = static_cast<std::uint64_t>(
        reader.integer("replication", 0, 0, std::numeric_limits<std::int64_t>::max(), true));
    event_count = static_cast<std::uint64_t>(
        reader.integer("event_count", 0, 0, std::numeric_limits<std::int64_t>::max(), true));
    event_log_sha256 = reader.string("event_log_sha256", "", true);
    // A run rebuilt from a results database (`run --from`) names where it came from; its
    // scenario is the run folder's scenario.json.
    // The --set overrides of the run, applied again in the same order.
    reader.array("set", [&](const nlohmann::json& item, const std::string& pointer) {
      ObjectReader change(item, pointer, sink);
      const std::string path = change.string("path", "", true);
      const nlohmann::json* value = change.get("value");
      if (change.valid() && !value) sink.add(change.pointer_of("value"), "a value", "nothing");
      change.finish();
      if (value) changes.push_back({path, *value});
    });
    if (const nlohmann::json* from = reader.get("from"); from && !from->is_object())
      sink.add("/from", "an object (database, study, run_id)", describe_json(*from));
    reader.finish();
    if (!sink.empty()) throw InputError(sink.take());
  } catch (const InputError& error) {
    print_load_error(error, manifest_path, FileKind::manifest);
    return bad_input;
  }
  // Where the scenario is looked for, in order: as given to `run` (from the current folder),
  // from the run folder along the path the manifest records for that (so a run folder replays
  // from any current folder, and with its scenarios when both move together), in the run folder
  // and beside the run folder. The first file with the recorded SHA-256 is the scenario.
  const fs::path run_folder = fs::path(manifest_path).parent_path();
  std::vector<fs::path> candidates{scenario_path};
  if (!scenario_from_run.empty())
    candidates.push_back(run_folder / scenario_from_run);  // ".." taken by the system: links
  if (fs::path(scenario_path).is_relative()) {
    candidates.push_back(run_folder / scenario_path);
    candidates.push_back(run_folder.parent_path() / scenario_path);
  }
  fs::path scenario;
  std::string bytes;
  std::optional<fs::path> different;
  try {
    for (const fs::path& candidate : candidates) {
      std::error_code code;
      if (!fs::exists(candidate, code)) continue;
      // One read: the bytes that are checked against the hash are the bytes that are simulated.
      std::string read = read_input_file(candidate);
      if (sha256_hex(read) != scenario_sha256) {
        if (!different) different = candidate;
        continue;
      }
      scenario = candidate;
      bytes = std::move(read);
      break;
    }
  } catch (const InputError& error) {
    print_input_error(error);
    return bad_input;
  }
  if (scenario.empty()) {
    std::string looked;
    for (const fs::path& candidate : candidates)
      looked += (looked.empty() ? "" : ", ") + candidate.lexically_normal().string();
    std::cerr << "error: " << manifest_path << ": /scenario: expected the scenario file with "
              << "SHA-256 " << scenario_sha256 << ", found "
              << (different ? "a different file at " + different->lexically_normal().string()
                            : "no file")
              << " (looked at " << looked << ")\n";
    return bad_input;
  }
  Scenario model;
  try {
    nlohmann::json document =
        resolve_scenario_document(parse_json_text(bytes, scenario.string()), scenario);
    // The variant file is the one that ran (its hash matched); a file it extends may have
    // changed since.
    if (!resolved_sha256.empty() && resolved_scenario_sha256(document) != resolved_sha256) {
      std::cerr << "error: " << manifest_path << ": /resolved_scenario_sha256: expected "
                << scenario.lexically_normal().string()
                << " to resolve to the scenario that ran (SHA-256 " << resolved_sha256
                << "), found SHA-256 " << resolved_scenario_sha256(document)
                << ": a file it extends changed since the run\n";
      return bad_input;
    }
    apply_scenario_changes(document, changes, manifest_path + ": /set", scenario.string());
    model = scenario_from_json(document, scenario.string());
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
