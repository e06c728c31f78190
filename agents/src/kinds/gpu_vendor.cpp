// A GPU vendor: sells GPU generations to the market's buyers (scenario /vendors). It takes part
// in no call; its actor, started when /vendors lists it, decides each quarter's orders together
// and ships them after its lead time.
#include <algorithm>

#include "world.hpp"

namespace tenderlab::detail {
namespace {

void start_gpu_vendor(SimulationContext& context, const AgentSpec& agent) {
  const auto& vendors = context.scenario().vendors;
  const auto spec = std::find_if(vendors.begin(), vendors.end(),
                                 [&](const VendorSpec& v) { return v.agent == agent.id; });
  if (spec == vendors.end()) return;
  World& world = context.world();
  context.spawn("vendor/" + agent.id, agent.id,
                [&world, &vendor = *spec] { run_vendor(world, vendor); });
}

const AgentKindRegistration registration{{
    .name = "gpu_vendor",
    .meaning = "sells GPU generations to contracts and private fleets (scenario /vendors)",
    .roles = RoleTable{},
    .parameters = {},
    .start = start_gpu_vendor,
}};

}  // namespace
}  // namespace tenderlab::detail
