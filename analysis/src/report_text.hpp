#pragma once
// Text helpers shared by the report's observers. Private to the analysis library.
#include <cstdio>
#include <string>
#include <vector>

#include "tenderlab/engine/events.hpp"

namespace tenderlab::analysis::detail {

inline std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

inline std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

inline std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

/// "term -1.2, term -0.4": the clauses that kept an agent away, one decimal.
inline std::string obstacles_text(const std::vector<events::ClauseEffect>& obstacles) {
  std::vector<std::string> parts;
  for (const auto& o : obstacles)
    parts.push_back(o.term + " " + fixed(o.delta_bn_krw, 1));
  return join(parts, ", ");
}

}  // namespace tenderlab::analysis::detail
