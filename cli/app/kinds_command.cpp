#include <iostream>

#include "app/commands.hpp"
#include "tenderlab/engine/agent_kinds.hpp"

namespace tenderlab::app {

int kinds_command(bool json) {
  if (json) {
    std::cout << agent_kinds_json().dump(2) << "\n";
    return ok;
  }
  for (const auto& kind : agent_kinds().kinds()) {
    const AgentKindDefinition& d = kind.definition();
    std::cout << d.name << ": " << d.meaning << "\n";
    bool any = false;
    for (std::size_t r = 0; r < role_names.size(); ++r) {
      std::string calls;
      for (std::size_t c = 0; c < call_kind_names.size(); ++c)
        if (d.roles.allows(static_cast<Role>(r), static_cast<CallKind>(c)))
          calls += (calls.empty() ? "" : ", ") + std::string(call_kind_names[c]);
      if (calls.empty()) continue;
      std::cout << "  " << role_names[r] << ": " << calls << "\n";
      any = true;
    }
    if (!any) std::cout << "  takes part in no call\n";
    std::string tables;
    for (const ParamTable* table : d.parameters)
      tables += (tables.empty() ? "" : ", ") + table->name;
    std::cout << "  actors: " << (d.start ? "its own" : "none")
              << "; parameters: " << (tables.empty() ? "none" : tables + " (tenderlab params)")
              << "\n";
  }
  return ok;
}

}  // namespace tenderlab::app
