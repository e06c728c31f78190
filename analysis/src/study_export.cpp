#include "tenderlab/analysis/study_export.hpp"

#include <cmath>
#include <map>
#include <set>
#include <vector>

namespace tenderlab::analysis {
namespace {

/// RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

/// A factor or KPI value as a cell: numbers in their shortest exact form, booleans as
/// true/false, strings as they are, null and missing as an empty cell, anything else as JSON.
std::string cell(const nlohmann::json* value) {
  if (value == nullptr || value->is_null()) return "";
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number_float() && !std::isfinite(value->get<double>())) return "";
  return value->dump();
}

std::string number(double value) {
  return nlohmann::json(value).dump();
}

void write_row(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i)
    out += (i ? "," : "") + csv_field(fields[i]);
  out += "\r\n";
}

}  // namespace

std::string runs_csv(ResultsStore& store) {
  std::map<int, nlohmann::json> factors_by_point;
  std::set<std::string> factor_names;
  for (auto& point : store.points()) {
    if (point.factors.is_object())
      for (const auto& [name, value] : point.factors.items())
        factor_names.insert(name);
    factors_by_point[point.point] = std::move(point.factors);
  }
  const std::vector<RunRecord> runs = store.runs();
  std::set<std::string> kpi_names;
  for (const auto& run : runs)
    if (run.kpis.is_object())
      for (const auto& [name, value] : run.kpis.items())
        kpi_names.insert(name);

  std::string out;
  // A factor or KPI named like another column gets a "factor." or "kpi." prefix, so that every
  // header names one column.
  const std::set<std::string> fixed = {"run_id", "point", "replication", "seed", "status"};
  std::vector<std::string> header = {"run_id", "point", "replication", "seed", "status"};
  for (const auto& name : factor_names)
    header.push_back(fixed.count(name) || kpi_names.count(name) ? "factor." + name : name);
  for (const auto& name : kpi_names)
    header.push_back(fixed.count(name) ? "kpi." + name : name);
  write_row(out, header);
  for (const auto& run : runs) {
    std::vector<std::string> row = {run.run_id, std::to_string(run.point),
                                    std::to_string(run.replication), std::to_string(run.seed),
                                    run.status};
    const auto point = factors_by_point.find(run.point);
    for (const auto& name : factor_names) {
      const nlohmann::json* value = nullptr;
      if (point != factors_by_point.end() && point->second.is_object() &&
          point->second.contains(name))
        value = &point->second.at(name);
      row.push_back(cell(value));
    }
    for (const auto& name : kpi_names)
      row.push_back(
          cell(run.kpis.is_object() && run.kpis.contains(name) ? &run.kpis.at(name) : nullptr));
    write_row(out, row);
  }
  return out;
}

std::string effects_csv(ResultsStore& store) {
  std::string out;
  write_row(out, {"run_id", "call", "round", "agent", "role", "clause", "effect_bn_krw"});
  for (const auto& row : store.stay_away())
    write_row(out, {row.run_id, row.call, std::to_string(row.round), row.agent, row.role,
                    row.clause, row.effect_bn_krw ? number(*row.effect_bn_krw) : ""});
  return out;
}

}  // namespace tenderlab::analysis
