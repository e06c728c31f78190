#pragma once
// One documented parameter of a scenario: the row format shared by the loader's tables, the
// registry of agent kinds and the reference documentation.
#include <string>

namespace tenderlab {

struct ParameterInfo {
  std::string section;  ///< "agent", "beliefs", "terms", "object", ...
  std::string name;
  std::string type;  ///< "number", "integer", "boolean", "string", "date", "object", "array"
  std::string unit;
  std::string default_value;
  std::string range;
  std::string meaning;
};

}  // namespace tenderlab
