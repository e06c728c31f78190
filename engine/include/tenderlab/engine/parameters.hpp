#pragma once
// The parameter tables: one table per object of a scenario file (the scenario itself, the market
// and beliefs, agents, calls, terms, the call object, the procedure, events, ...), each row a key
// with its type, unit, default, range, meaning, the struct member that stores it and where its
// value comes from. The loader reads every object through its table, and `tenderlab params`, the
// JSON Schema (scenarios/schema/scenario.schema.json) and docs/parameters.md are generated from
// the same tables, so none of them can drift from the others.
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tenderlab {

enum class ParamType {
  number,           ///< a finite number in [min, max]
  integer,          ///< a whole number in [min, max]
  boolean,          ///< true or false
  text,             ///< any string
  id,               ///< an identifier: 1 to 64 characters from a-z, 0-9, '-', '_' and '.'
  agent_ref,        ///< the id of an agent in /agents
  call_ref,         ///< the id of a call in /calls
  date,             ///< "YYYY-MM-DD"
  choice,           ///< one of `choices`
  agent_kind,       ///< the name of a registered agent kind (agent_kinds.hpp, `tenderlab kinds`)
  nullable_number,  ///< a number in [min, max], or null
  object,           ///< an object read through the table named `ref`
  array,            ///< an array of objects read through the table named `ref`
  year_map,         ///< an object from four-digit fiscal years to numbers in [min, max]
  format,           ///< the format string, one accepted value (`default_text`)
  any,              ///< any value (ignored by the loader)
};
const char* to_string(ParamType type);

/// Where a parameter's default comes from. Calibrated scenarios give their own sourced values;
/// this is about the default the table declares.
enum class Provenance {
  input,    ///< data of the scenario itself (ids, dates, names, structure): no default claim
  sourced,  ///< taken from a cited source (law, official notices, tariffs, vendors)
  assumed,  ///< an assumption of the model; `plausible_min`/`plausible_max` state a range
  setting,  ///< a modelling or numerical setting (paths, seed, conventions), not economics
};
const char* to_string(Provenance provenance);

struct ParamSpec {
  std::string key;
  ParamType type = ParamType::number;
  std::string unit;  ///< "1" for dimensionless, "" where no unit applies
  /// number, integer, boolean (0 or 1), nullable_number (NaN: null). For the other types the
  /// default is described by `default_text` ("" when the key is required or has none).
  double default_value = 0;
  /// Shown instead of `default_value` in listings when set ("the id", "no limit", "\"any\"").
  std::string default_text;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  std::string description;
  std::string member;  ///< where it is stored, e.g. "Beliefs::demand_growth"
  bool required = false;
  std::string ref;                   ///< object, array: the name of the table of its items
  std::vector<std::string> choices;  ///< choice: the accepted strings, in enum order
  /// text: a regular expression (ECMA 262) every value must match, for the schema; the loader
  /// checks the same rule in code and reports it at the key's pointer.
  std::string pattern;
  Provenance provenance = Provenance::input;
  std::string basis;  ///< source, or why the value is what it is
  double plausible_min = std::numeric_limits<double>::quiet_NaN();
  double plausible_max = std::numeric_limits<double>::quiet_NaN();

  /// Numbers, integers and booleans: the keys the loader stores through a member binding.
  bool scalar() const;
  /// choice: `choices`; agent_kind: the names of the kinds registered in this process, read when
  /// asked (kinds register at start-up, tenderlab-mpi learns more from its worker program).
  std::vector<std::string> accepted() const;
  /// "0.15", "true", "\"any\"", "the id", "required", "none".
  std::string default_string() const;
  /// "[0, 1]", "[0, inf)", "(-inf, inf)"; "" where no range applies.
  std::string range_string() const;
};

struct ParamTable {
  std::string name;             ///< also the schema's $defs name: "beliefs", "terms", ...
  std::string title;            ///< heading in listings
  std::vector<std::string> at;  ///< where the object appears, as JSON Pointers with * for items
  std::string description;
  std::vector<ParamSpec> params;
  /// JSON Schema keywords that relate keys of the object (if/then), merged into its schema.
  std::string schema_extra;
  const ParamSpec* find(std::string_view key) const;
  const ParamSpec& at_key(std::string_view key) const;  ///< throws ModelError when absent
};

/// Every table, in the order of the documentation: the scenario first, then what it contains.
const std::vector<const ParamTable*>& parameter_tables();
/// The table called `name`; throws ModelError when there is none.
const ParamTable& parameter_table(std::string_view name);
/// The agent kinds' parameter table, a table of its own so a registry of agent kinds can point
/// at it.
const ParamTable& agent_parameter_table();

/// The scenario schema's `$id`: an absolute URI with the format's version in it. A URN, not a web
/// address: the schema is not served from anywhere, and a URN names it without claiming a domain.
inline constexpr const char* scenario_schema_id = "urn:tenderlab:schema:scenario:1";
/// The scenario JSON Schema (draft 2020-12) generated from the tables.
nlohmann::ordered_json scenario_schema();
/// docs/parameters.md, generated from the tables.
std::string parameters_markdown();
/// Every table as JSON (for `tenderlab params --json`).
nlohmann::ordered_json parameters_json();

}  // namespace tenderlab
