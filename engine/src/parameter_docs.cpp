// What is generated from the parameter tables: the JSON Schema of scenario files, the reference
// page docs/parameters.md and the JSON listing of `tenderlab params --json`.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>

#include "tenderlab/engine/agent_kinds.hpp"
#include "tenderlab/engine/parameters.hpp"

namespace tenderlab {
namespace {

/// Numbers as a reader writes them: integers without a fraction, others in the shortest form
/// that reads back to the same double.
std::string format_number(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (std::floor(value) == value && std::fabs(value) < 1e15)
    return std::to_string(static_cast<std::int64_t>(value));
  return nlohmann::json(value).dump();
}

nlohmann::ordered_json json_number(double value, ParamType type) {
  if (type == ParamType::integer || (std::floor(value) == value && std::fabs(value) < 1e15)) {
    if (value >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
    return static_cast<std::int64_t>(value);
  }
  return value;
}

bool quoted_default(const ParamSpec& spec) {
  return spec.default_text.size() >= 2 && spec.default_text.front() == '"' &&
         spec.default_text.back() == '"';
}

std::string capitalised(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
  return text;
}

std::string provenance_text(const ParamSpec& spec) {
  std::string text = to_string(spec.provenance);
  if (spec.provenance == Provenance::input) return "";
  if (spec.provenance == Provenance::assumed && !std::isnan(spec.plausible_min))
    text += ", plausible [" + format_number(spec.plausible_min) + ", " +
            format_number(spec.plausible_max) + (std::isinf(spec.plausible_max) ? ")" : "]");
  if (!spec.basis.empty()) text += ": " + spec.basis;
  return text;
}

std::string schema_description(const ParamSpec& spec) {
  std::string text = spec.description + ". Unit: " + (spec.unit.empty() ? "none" : spec.unit) + ".";
  if (spec.required)
    text += " Required.";
  else if (spec.type != ParamType::any)
    text += " Default " + spec.default_string() + ".";
  const std::string range = spec.range_string();
  if (!range.empty()) text += " Range " + range + ".";
  const std::string provenance = provenance_text(spec);
  if (!provenance.empty()) text += " " + capitalised(provenance) + ".";
  if (!spec.member.empty()) text += " Stored in " + spec.member + ".";
  return text;
}

nlohmann::ordered_json property_schema(const ParamSpec& spec) {
  nlohmann::ordered_json p = nlohmann::ordered_json::object();
  auto bounds = [&](ParamType type) {
    if (std::isfinite(spec.min)) p["minimum"] = json_number(spec.min, type);
    if (std::isfinite(spec.max)) p["maximum"] = json_number(spec.max, type);
  };
  switch (spec.type) {
    case ParamType::number:
      p["type"] = "number";
      bounds(spec.type);
      if (std::isfinite(spec.default_value))
        p["default"] = json_number(spec.default_value, spec.type);
      break;
    case ParamType::integer:
      p["type"] = "integer";
      bounds(spec.type);
      if (!spec.required && spec.default_text.empty())
        p["default"] = json_number(spec.default_value, spec.type);
      break;
    case ParamType::boolean:
      p["type"] = "boolean";
      p["default"] = spec.default_value != 0;
      break;
    case ParamType::text:
      p["type"] = "string";
      if (!spec.pattern.empty()) p["pattern"] = spec.pattern;
      if (spec.default_text == "\"\"") p["default"] = "";
      break;
    case ParamType::id:
    case ParamType::call_ref:
      p["$ref"] = "#/$defs/id";
      break;
    case ParamType::agent_ref:
      p["$ref"] = "#/$defs/agent_ref";
      break;
    case ParamType::date:
      p["$ref"] = "#/$defs/date";
      break;
    case ParamType::choice:
    case ParamType::agent_kind:
      p["enum"] = spec.accepted();
      if (quoted_default(spec))
        p["default"] = spec.default_text.substr(1, spec.default_text.size() - 2);
      break;
    case ParamType::nullable_number:
      p["type"] = {"number", "null"};
      bounds(ParamType::number);
      p["default"] = nullptr;
      break;
    case ParamType::object:
      p["$ref"] = "#/$defs/" + spec.ref;
      break;
    case ParamType::array:
      p["type"] = "array";
      p["items"] = {{"$ref", "#/$defs/" + spec.ref}};
      break;
    case ParamType::year_map:
      p["type"] = "object";
      p["propertyNames"] = {{"pattern", "^[0-9]{4}$"}, {"maxLength", 4}};
      p["additionalProperties"] = {{"type", "number"},
                                   {"minimum", json_number(spec.min, ParamType::number)}};
      break;
    case ParamType::format:
      p["const"] = spec.default_text.substr(1, spec.default_text.size() - 2);
      break;
    case ParamType::any:
      break;
  }
  // Editors offer `default` and `examples` as completions: the default first, then the ends of
  // an assumption's plausible range (the values worth trying), or of a bounded range.
  nlohmann::ordered_json examples = nlohmann::ordered_json::array();
  const auto add_example = [&examples](const nlohmann::ordered_json& value) {
    if (!value.is_null() && std::find(examples.begin(), examples.end(), value) == examples.end())
      examples.push_back(value);
  };
  if (p.contains("default")) add_example(p["default"]);
  if (spec.type == ParamType::number || spec.type == ParamType::integer ||
      spec.type == ParamType::nullable_number) {
    const ParamType type = spec.type == ParamType::integer ? spec.type : ParamType::number;
    if (std::isfinite(spec.plausible_min) && std::isfinite(spec.plausible_max)) {
      add_example(json_number(spec.plausible_min, type));
      add_example(json_number(spec.plausible_max, type));
    } else if (std::isfinite(spec.min) && std::isfinite(spec.max)) {
      add_example(json_number(spec.min, type));
      add_example(json_number(spec.max, type));
    }
  }
  if (spec.type == ParamType::boolean) {
    add_example(true);
    add_example(false);
  }
  if (!examples.empty()) p["examples"] = examples;
  p["description"] = schema_description(spec);
  return p;
}

nlohmann::ordered_json object_schema(const ParamTable& table) {
  nlohmann::ordered_json schema = nlohmann::ordered_json::object();
  schema["type"] = "object";
  schema["description"] = table.description;
  nlohmann::ordered_json properties = nlohmann::ordered_json::object();
  properties["$comment"] = {{"$ref", "#/$defs/comment"}};
  nlohmann::ordered_json required = nlohmann::ordered_json::array();
  for (const auto& spec : table.params) {
    properties[spec.key] = property_schema(spec);
    if (spec.required) required.push_back(spec.key);
  }
  schema["properties"] = properties;
  if (!required.empty()) schema["required"] = required;
  schema["additionalProperties"] = false;
  if (!table.schema_extra.empty()) {
    const auto extra = nlohmann::ordered_json::parse(table.schema_extra);
    for (const auto& [key, value] : extra.items())
      schema[key] = value;
  }
  return schema;
}

const char* root_description =
    "A tenderlab scenario: the agents, their ties, the calls for tender and the exogenous events "
    "of one simulated market. Generated from the parameter tables (engine/src/parameters.cpp) "
    "by `tenderlab params --schema`; the loader reads every object through the same tables "
    "(types, ranges, enums, unknown keys; \"$comment\" is accepted in every object). What JSON "
    "Schema cannot express is checked by the loader only (run `tenderlab validate FILE`): agent "
    "ids and call ids are unique; relationship ends and call issuers name an existing agent, a "
    "relationship joins two different agents and an issuer is a government; horizon is after "
    "start_date; in a schedule loi_deadline lies between announce and bid_deadline, and "
    "bid_deadline is on or after announce; every bid deadline and event date lies in "
    "[start_date, horizon]; every /history entry names a call in /calls; each later round is "
    "announced after the previous round's bid deadline; technical_weight + price_weight = 1; no "
    "object repeats a key. Money is in billions of KRW (bn KRW): 1 억원 = 0.1, 1 조원 = 1000. "
    "Reference: docs/parameters.md.";

std::string type_text(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::choice:
    case ParamType::agent_kind: {
      const std::vector<std::string> accepted = spec.accepted();
      std::string text = spec.type == ParamType::agent_kind ? "agent kind, one of " : "one of ";
      for (std::size_t i = 0; i < accepted.size(); ++i)
        text += (i ? ", `" : "`") + accepted[i] + "`";
      return text;
    }
    case ParamType::object:
      return "object ([" + parameter_table(spec.ref).title + "](#" + spec.ref + "))";
    case ParamType::array:
      return "array of [" + parameter_table(spec.ref).title + "](#" + spec.ref + ")";
    default:
      return to_string(spec.type);
  }
}

std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  return out;
}

}  // namespace

const char* to_string(ParamType type) {
  switch (type) {
    case ParamType::number:
      return "number";
    case ParamType::integer:
      return "integer";
    case ParamType::boolean:
      return "boolean";
    case ParamType::text:
      return "string";
    case ParamType::id:
      return "id";
    case ParamType::agent_ref:
      return "agent id";
    case ParamType::call_ref:
      return "call id";
    case ParamType::date:
      return "date";
    case ParamType::choice:
      return "choice";
    case ParamType::agent_kind:
      return "agent kind";
    case ParamType::nullable_number:
      return "number or null";
    case ParamType::object:
      return "object";
    case ParamType::array:
      return "array";
    case ParamType::year_map:
      return "object: year -> number";
    case ParamType::format:
      return "string";
    case ParamType::any:
      return "any";
  }
  return "?";
}

const char* to_string(Provenance provenance) {
  switch (provenance) {
    case Provenance::input:
      return "input";
    case Provenance::sourced:
      return "sourced";
    case Provenance::assumed:
      return "assumed";
    case Provenance::setting:
      return "setting";
  }
  return "?";
}

bool ParamSpec::scalar() const {
  return type == ParamType::number || type == ParamType::integer || type == ParamType::boolean;
}

std::vector<std::string> ParamSpec::accepted() const {
  return type == ParamType::agent_kind ? agent_kinds().names() : choices;
}

std::string ParamSpec::default_string() const {
  if (required) return "required";
  if (!default_text.empty()) return default_text;
  switch (type) {
    case ParamType::number:
    case ParamType::integer:
      return format_number(default_value);
    case ParamType::boolean:
      return default_value != 0 ? "true" : "false";
    case ParamType::nullable_number:
      return std::isnan(default_value) ? "null" : format_number(default_value);
    default:
      return "none";
  }
}

std::string ParamSpec::range_string() const {
  if (type != ParamType::number && type != ParamType::integer &&
      type != ParamType::nullable_number && type != ParamType::year_map)
    return "";
  std::string max_text = max >= 9.2e18 ? "2^63 - 1" : format_number(max);
  return (std::isinf(min) ? std::string("(-inf") : "[" + format_number(min)) + ", " +
         (std::isinf(max) ? std::string("inf)") : max_text + "]");
}

namespace {

/// A variant (docs/scenario-format.md#variants) names the file it starts from with "extends"
/// and changes it with "set": the loader resolves both before it reads the keys of the tables,
/// so they are no parameters. A variant needs none of the required keys (its parent has them).
void add_variant_keys(nlohmann::ordered_json& schema) {
  schema["properties"]["extends"] = {
      {"type", "string"},
      {"minLength", 1},
      {"description",
       "Makes this file a variant: the path of the scenario (or variant) it starts from, relative "
       "to this file's folder. Its other top-level keys replace the parent's; \"set\" changes "
       "values inside."}};
  schema["properties"]["set"] = {
      {"type", "object"},
      {"propertyNames", {{"pattern", "^/"}}},
      {"description",
       "Only beside \"extends\": JSON Pointer -> the value to set there in the parent's document "
       "(the parent of each pointer must exist), applied in the pointers' text order."}};
  const nlohmann::ordered_json required = schema["required"];
  schema.erase("required");
  schema["dependentRequired"] = {{"set", {"extends"}}};
  schema["if"] = {{"required", {"extends"}}};
  schema["else"] = {{"required", required}};
}

}  // namespace

nlohmann::ordered_json scenario_schema() {
  nlohmann::ordered_json schema = nlohmann::ordered_json::object();
  schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  // Absolute and versioned with the format, so editors and validators key their caches on it
  // and a later format gets a URI of its own; files still point at the schema by relative path.
  schema["$id"] = scenario_schema_id;
  schema["title"] = "tenderlab scenario (format tenderlab-scenario/1)";
  const ParamTable& root = parameter_table("scenario");
  nlohmann::ordered_json top = object_schema(root);
  top["description"] = root_description;
  for (const auto& [key, value] : top.items())
    schema[key] = value;
  add_variant_keys(schema);
  nlohmann::ordered_json defs = nlohmann::ordered_json::object();
  defs["comment"] = {
      {"description", "A note for readers; ignored by the loader in every object. Any value."}};
  defs["id"] = {{"type", "string"},
                {"pattern", "^[a-z0-9._-]{1,64}$"},
                {"not", {{"pattern", "\\n"}}},
                {"description",
                 "An identifier: 1 to 64 characters from a-z, 0-9, '-', '_' and '.'. (The \"not\" "
                 "rule only closes a gap of some regex engines, where '$' also matches before a "
                 "final newline.)"}};
  defs["agent_ref"] = {
      {"$ref", "#/$defs/id"},
      {"description", "The id of an agent in /agents (that it exists is checked by the loader)."}};
  defs["date"] = {
      {"type", "string"},
      {"maxLength", 10},
      {"pattern",
       "^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]"
       "[0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02"
       "468][048]|[13579][26])00)-02-29)$"},
      {"description",
       "A calendar date YYYY-MM-DD (proleptic Gregorian), as ^\\d{4}-\\d{2}-\\d{2}$ restricted to "
       "days that exist: 2024-02-29 is a date, 2025-02-29 and 2025-04-31 are not."}};
  for (const ParamTable* table : parameter_tables())
    if (table != &root) defs[table->name] = object_schema(*table);
  schema["$defs"] = defs;
  return schema;
}

std::string parameters_markdown() {
  std::ostringstream out;
  out << "# Scenario parameters\n\n"
         "<!-- Generated by `tenderlab params --markdown` from engine/src/parameters.cpp; "
         "regenerate with scripts/update-params.sh. A test fails when this page differs. -->\n\n"
         "Every key of a scenario file, one table per object, generated from the parameter "
         "tables the loader reads the file through; `tenderlab params` lists the same tables "
         "(`--json` as JSON) and `scenarios/schema/scenario.schema.json` is generated from "
         "them too. [scenario-format.md](scenario-format.md) explains how the objects fit "
         "together and the rules that relate keys.\n\n"
         "Columns: the **default** applies when the key is left out; a square bracket in "
         "**range** includes its bound, `inf` means no bound (only finite numbers are "
         "accepted). **Basis** says where the default comes from: `sourced` (a cited fact), "
         "`assumed` (a model assumption, with the range we consider plausible), `setting` (a "
         "numerical or modelling setting) or nothing (data the scenario states). **Stored in** "
         "is the member of the `Scenario` structure "
         "(`engine/include/tenderlab/engine/scenario.hpp`) that holds the value. Any key can "
         "be a study factor: its JSON Pointer is the object's place below plus the key, e.g. "
         "`/assumptions/delay_probability` or `/calls/0/terms/tax_credit`.\n";
  for (const ParamTable* table : parameter_tables()) {
    out << "\n<a id=\"" << table->name << "\"></a>\n\n## " << table->title << "\n\n"
        << table->description << "\n\nAt:";
    for (std::size_t i = 0; i < table->at.size(); ++i)
      out << (i ? ", `" : " `") << (table->at[i].empty() ? "(top level)" : table->at[i]) << "`";
    out << ".\n\n| key | type | unit | default | range | basis | meaning | stored in |\n"
           "|---|---|---|---|---|---|---|---|\n";
    for (const auto& spec : table->params)
      out << "| `" << spec.key << "` | " << cell(type_text(spec)) << " | " << cell(spec.unit)
          << " | " << cell(spec.default_string()) << " | " << spec.range_string() << " | "
          << cell(provenance_text(spec)) << " | " << cell(spec.description) << " | "
          << (spec.member.empty() ? "" : "`" + spec.member + "`") << " |\n";
  }
  return out.str();
}

nlohmann::ordered_json parameters_json() {
  nlohmann::ordered_json tables = nlohmann::ordered_json::array();
  for (const ParamTable* table : parameter_tables()) {
    nlohmann::ordered_json t;
    t["name"] = table->name;
    t["title"] = table->title;
    t["at"] = table->at;
    t["description"] = table->description;
    nlohmann::ordered_json params = nlohmann::ordered_json::array();
    for (const auto& spec : table->params) {
      nlohmann::ordered_json p;
      p["key"] = spec.key;
      p["type"] = to_string(spec.type);
      p["unit"] = spec.unit;
      p["required"] = spec.required;
      p["default"] = spec.default_string();
      if (spec.scalar() && spec.default_text.empty() && !spec.required &&
          std::isfinite(spec.default_value))
        p["default_value"] = spec.type == ParamType::boolean
                                 ? nlohmann::ordered_json(spec.default_value != 0)
                                 : json_number(spec.default_value, spec.type);
      if (std::isfinite(spec.min)) p["minimum"] = json_number(spec.min, spec.type);
      if (std::isfinite(spec.max)) p["maximum"] = json_number(spec.max, spec.type);
      if (const auto accepted = spec.accepted(); !accepted.empty()) p["choices"] = accepted;
      if (!spec.ref.empty()) p["table"] = spec.ref;
      p["provenance"] = to_string(spec.provenance);
      if (!spec.basis.empty()) p["basis"] = spec.basis;
      if (!std::isnan(spec.plausible_min))
        p["plausible"] = {json_number(spec.plausible_min, ParamType::number),
                          std::isinf(spec.plausible_max)
                              ? nlohmann::ordered_json(nullptr)
                              : json_number(spec.plausible_max, ParamType::number)};
      p["description"] = spec.description;
      p["member"] = spec.member;
      params.push_back(p);
    }
    t["params"] = params;
    tables.push_back(t);
  }
  return tables;
}

}  // namespace tenderlab
