#include <iostream>

#include "app/commands.hpp"
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

}  // namespace tenderlab::app
