#pragma once
// Text helpers shared by the report's observers. Private to the analysis library.
#include <cstdio>
#include <optional>
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

/// The year whose end a state reported at `date` (YYYY-MM-DD) describes: a state reported at
/// 00:00 on 1 January (a year's start, or the end of a run whose horizon's last day has passed)
/// describes the year before; any other date, its own year (a run cut within a year).
inline int year_ended_by(const std::string& date) {
  const int year = std::stoi(date.substr(0, 4));
  return date.compare(5, 5, "01-01") == 0 ? year - 1 : year;
}

/// "term -1.2, term -0.4": the clauses that kept an agent away, one decimal.
inline std::string obstacles_text(const std::vector<events::ClauseEffect>& obstacles) {
  std::vector<std::string> parts;
  for (const auto& o : obstacles)
    parts.push_back(o.term + " " + fixed(o.delta_bn_krw, 1));
  return join(parts, ", ");
}

/// "loss_bearing x buy_back +120.0": the strongest interaction of an agent's clauses, one decimal.
inline std::string interaction_text(const std::optional<events::ClauseInteraction>& interaction) {
  if (!interaction || interaction->terms.size() != 2) return "";
  return interaction->terms[0] + " x " + interaction->terms[1] + " " +
         (interaction->delta_bn_krw > 0 ? "+" : "") + fixed(interaction->delta_bn_krw, 1);
}

}  // namespace tenderlab::analysis::detail
