#include <algorithm>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "tenderlab/analysis/kpi_catalog.hpp"
#include "tenderlab/engine/input_error.hpp"
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
    } catch (const InputError& error) {
      const auto count = error.problems().size();
      std::cerr << file << ": " << count << " problem" << (count == 1 ? "" : "s") << "\n";
      for (const auto& problem : error.problems())
        std::cerr << "  " << problem.to_string() << "\n";
      status = bad_input;
    }
  }
  return status;
}

int params_command(bool markdown) {
  const auto& table = parameter_table();
  if (markdown) {
    std::cout << "| section | name | type | unit | default | range | meaning |\n"
              << "|---|---|---|---|---|---|---|\n";
    for (const auto& p : table)
      std::cout << "| " << p.section << " | `" << p.name << "` | " << p.type << " | " << p.unit
                << " | " << p.default_value << " | " << p.range << " | " << p.meaning << " |\n";
    return ok;
  }
  std::string section;
  for (const auto& p : table) {
    if (p.section != section) {
      section = p.section;
      std::cout << section << ":\n";
    }
    std::cout << "  " << p.name << " (" << p.unit << ", default " << p.default_value << ", "
              << p.range << "): " << p.meaning << "\n";
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
