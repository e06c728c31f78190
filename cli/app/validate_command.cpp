#include <algorithm>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/file_kind.hpp"
#include "app/output.hpp"
#include "tenderlab/analysis/kpi_catalog.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/parameters.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

namespace tenderlab::app {

namespace {

nlohmann::ordered_json problems_json(const InputError& error) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& problem : error.problems())
    list.push_back({{"file", problem.file},
                    {"pointer", problem.pointer},
                    {"expected", problem.expected},
                    {"found", problem.found}});
  return list;
}

}  // namespace

int validate_command(const std::vector<std::string>& files, bool quiet,
                     const std::vector<std::string>& set, const std::string& json) {
  std::vector<ScenarioChange> changes;
  const int parsed = report_errors(bad_input, [&] {
    if (!json.empty()) check_json_file_target(json);
    changes = scenario_changes(set);
    return ok;
  });
  if (parsed != ok) return parsed;
  int status = ok;
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const auto& file : files) {
    nlohmann::ordered_json result;
    result["file"] = file;
    try {
      nlohmann::json document = read_scenario_document(file);
      apply_scenario_changes(document, changes, "--set", file);
      const Scenario scenario = scenario_from_json(document, file);
      result["valid"] = true;
      result["name"] = scenario.name;
      result["agents"] = scenario.agents.size();
      result["calls"] = scenario.calls.size();
      result["start_date"] = scenario.start.iso();
      result["horizon"] = scenario.horizon.iso();
      result["problems"] = nlohmann::ordered_json::array();
      if (!quiet)
        std::cout << file << ": valid scenario '" << scenario.name << "' ("
                  << scenario.agents.size() << " agents, " << scenario.calls.size()
                  << (scenario.calls.size() == 1 ? " call, " : " calls, ") << scenario.start.iso()
                  << " to " << scenario.horizon.iso() << ")\n";
    } catch (const InputError& loaded) {
      const auto other_kind = wrong_kind_error(file, FileKind::scenario);
      const InputError& error = other_kind ? *other_kind : loaded;
      const auto count = error.problems().size();
      std::cerr << file << ": " << count << " problem" << (count == 1 ? "" : "s") << "\n";
      for (const auto& problem : error.problems())
        std::cerr << "  " << problem.to_string() << "\n";
      result["valid"] = false;
      result["problems"] = problems_json(error);
      status = bad_input;
    }
    results.push_back(std::move(result));
  }
  if (!json.empty()) {
    const int written = report_errors(run_failed, [&] {
      write_json_file(json, results);
      return ok;
    });
    if (written != ok) return written;
  }
  return status;
}

int params_command(const ParamsOutput output, const std::string& json_file) {
  if (output == ParamsOutput::json && !json_file.empty() && json_file != "-")
    return report_errors(bad_input, [&] {
      write_json_file(json_file, parameters_json());
      return ok;
    });
  switch (output) {
    case ParamsOutput::markdown:
      std::cout << parameters_markdown();
      return ok;
    case ParamsOutput::schema:
      std::cout << scenario_schema().dump(2) << "\n";
      return ok;
    case ParamsOutput::json:
      std::cout << parameters_json().dump(2) << "\n";
      return ok;
    case ParamsOutput::text:
      break;
  }
  for (const ParamTable* table : parameter_tables()) {
    std::cout << table->title << " (";
    for (std::size_t i = 0; i < table->at.size(); ++i)
      std::cout << (i ? ", " : "") << (table->at[i].empty() ? "top level" : table->at[i]);
    std::cout << "):\n";
    for (const auto& p : table->params) {
      std::cout << "  " << p.key << " (" << to_string(p.type);
      if (!p.unit.empty()) std::cout << ", " << p.unit;
      std::cout << ", " << (p.required ? "required" : "default " + p.default_string());
      if (const std::string range = p.range_string(); !range.empty()) std::cout << ", " << range;
      if (p.provenance == Provenance::assumed) std::cout << ", assumed";
      std::cout << "): " << p.description << "\n";
    }
  }
  return ok;
}

int kpis_command(const std::string& scenario, bool json) {
  std::vector<analysis::KpiInfo> kpis;
  const int loaded = report_errors(bad_input, [&] {
    kpis = scenario.empty() ? analysis::kpi_patterns()
                            : analysis::kpi_catalog(load_scenario(scenario));
    return ok;
  });
  if (loaded != ok) return loaded;
  if (json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& kpi : kpis)
      list.push_back({{"name", kpi.name}, {"unit", kpi.unit}, {"meaning", kpi.meaning}});
    std::cout << list.dump(2) << "\n";
    return ok;
  }
  std::size_t name_width = 4, unit_width = 4;
  for (const auto& kpi : kpis) {
    name_width = std::max(name_width, kpi.name.size());
    unit_width = std::max(unit_width, kpi.unit.size());
  }
  const auto row = [&](const std::string& name, const std::string& unit,
                       const std::string& meaning) {
    std::cout << name << std::string(name_width + 2 - name.size(), ' ') << unit
              << std::string(unit_width + 2 - unit.size(), ' ') << meaning << "\n";
  };
  row("name", "unit", "meaning");
  for (const auto& kpi : kpis)
    row(kpi.name, kpi.unit, kpi.meaning);
  return ok;
}

}  // namespace tenderlab::app
