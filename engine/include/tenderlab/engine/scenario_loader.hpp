#pragma once
// Reads and validates scenario files (format v1). Every problem of a file is collected and thrown
// as one ScenarioError; see docs/scenario-format.md and scenarios/schema/scenario.schema.json.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

inline constexpr const char* scenario_format = "tenderlab-scenario/1";

/// Parses and validates a scenario file (a variant's `extends` resolved: read_scenario_document).
/// Throws ScenarioError (or InputError for unreadable or malformed files) naming the file and
/// the JSON Pointer of each problem.
Scenario load_scenario(const std::filesystem::path& path);

/// One change to a scenario document: `value` set at the JSON Pointer `pointer`.
struct ScenarioChange {
  std::string pointer;
  nlohmann::json value;
};

/// Sets `value` at `pointer` of `document` as study factors and scenario changes do: the parent
/// must exist (an object gains or replaces the key; an array index must name an existing
/// element). Returns false, leaving the document as it was, when the pointer is malformed or
/// addresses nothing settable.
bool set_json_pointer(nlohmann::json& document, const std::string& pointer,
                      const nlohmann::json& value);

/// Applies `changes` in order. A change that addresses nothing settable is an InputError naming
/// `origin` and its pointer, with the deepest part of the pointer that exists in `scenario`.
void apply_scenario_changes(nlohmann::json& document, const std::vector<ScenarioChange>& changes,
                            const std::string& origin, const std::string& scenario);

/// "POINTER=VALUE" (`--set`): VALUE parsed as JSON, else taken as a string. Throws InputError
/// naming `origin` when there is no '=' or the pointer does not start with '/'.
ScenarioChange parse_scenario_change(const std::string& text, const std::string& origin);

/// The document a scenario file stands for. A plain scenario is its JSON. A variant names the
/// file it starts from with "extends" (relative to the variant's folder; it may be a variant
/// too): its document is that file's, with the variant's other top-level keys replacing the
/// parent's and then its "set" object's values set at their JSON Pointers (in the pointers'
/// text order, so a change of an object comes before changes inside it). Throws InputError for
/// a missing or unreadable parent, a cycle of extends, or a change that addresses nothing
/// settable. Format: docs/scenario-format.md#variants.
nlohmann::json read_scenario_document(const std::filesystem::path& path);
/// The same for a file already parsed into `document`.
nlohmann::json resolve_scenario_document(const nlohmann::json& document,
                                         const std::filesystem::path& path);
/// The same for an already parsed document; `origin` names it in messages.
Scenario scenario_from_json(const nlohmann::json& document, const std::string& origin);

}  // namespace tenderlab
