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

int validate_command(const std::vector<std::string>& files, bool quiet) {
  int status = ok;
  for (const auto& file : files) {
    try {
      const Scenario scenario = load_scenario(file);
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
      status = bad_input;
    }
  }
  return status;
}

int params_command(const ParamsOutput output) {
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
