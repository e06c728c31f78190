// A grid operator: decides who gets power where (scenario /grid). It takes part in no call; its
// actor, started when the scenario's grid names it, runs the connection queue to the horizon.
#include "world.hpp"

namespace tenderlab::detail {
namespace {

void start_grid_operator(SimulationContext& context, const AgentSpec& agent) {
  const Scenario& scenario = context.scenario();
  if (!scenario.grid || scenario.grid->operator_id != agent.id) return;
  World& world = context.world();
  context.spawn("grid-operator", agent.id, [&world] { run_grid_operator(world); });
}

const AgentKindRegistration registration{{
    .name = "grid_operator",
    .meaning = "decides connection requests on the power grid (scenario /grid)",
    .roles = RoleTable{},
    .parameters = {},
    .start = start_grid_operator,
}};

}  // namespace
}  // namespace tenderlab::detail
