#pragma once
// Reads and validates scenario files (format v1). Every problem of a file is collected and thrown
// as one ScenarioError; see docs/scenario-format.md and scenarios/schema/scenario.schema.json.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

inline constexpr const char* scenario_format = "tenderlab-scenario/1";

/// Parses and validates a scenario file. Throws ScenarioError (or InputError for unreadable or
/// malformed files) naming the file and the JSON Pointer of each problem.
Scenario load_scenario(const std::filesystem::path& path);
/// The same for an already parsed document; `origin` names it in messages.
Scenario scenario_from_json(const nlohmann::json& document, const std::string& origin);

}  // namespace tenderlab
