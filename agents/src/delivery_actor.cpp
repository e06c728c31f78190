// Deliveries of GPUs to a site: one actor per contract or fleet order, waiting for what its GPUs
// need before they run: the building (built_at), the GPUs from the vendor (in the parts the
// vendor ships) and the site's MW from the grid operator (in the parts it grants). At each moment
// the GPUs that run are the fewest of those delivered and those the granted MW can power.
#include <algorithm>
#include <cmath>

#include "world.hpp"

namespace tenderlab::detail {

void deliver(World& world, DeliveryPlan plan) {
  const std::string name = "delivery/" + plan.order;
  const std::string host = plan.owner;  // read before the plan moves into the actor
  World::Delivery& entry = world.deliveries[plan.order];
  entry.fleet = plan.purpose == "fleet";
  entry.gpus = plan.gpus;
  entry.delivered = plan.vendor ? 0 : plan.gpus;
  entry.built_at = plan.built_at;
  entry.outstanding_mw = plan.site ? plan.mw : 0.0;
  if (plan.site && world.scenario.grid)
    entry.region = node_region(*world.scenario.grid, plan.site->node);
  world.kernel.spawn(name, host, [&world, name, plan = std::move(plan)] {
    Inbox<DeliveryNews> news(name);
    news.claim();
    if (plan.site) {
      Inbox<ConnectionAsk>(grid_inbox)
          .send({QueuedConnection{plan.order, plan.site->id, plan.site->node, plan.purpose,
                                  plan.owner, plan.mw, plan.mw, Kernel::now()},
                 name});
    }
    if (plan.vendor)
      Inbox<GpuOrderAsk>(vendor_inbox(plan.vendor->agent))
          .send({plan.order, plan.owner, plan.gpus, name});
    // What the delivery has so far lives in the world, where the year-end reports read it.
    World::Delivery& state = world.deliveries.at(plan.order);
    double granted_mw = plan.site ? 0.0 : plan.mw;
    std::string generation = plan.generation;
    const double horizon = world.kernel.horizon_time();
    while (state.online < plan.gpus) {
      if (Kernel::now() >= plan.built_at) {
        // GPUs run in proportion to the MW granted; the grant that completes the request
        // powers them all.
        const std::int64_t powered =
            state.outstanding_mw <= 0 ? plan.gpus
                                      : static_cast<std::int64_t>(std::floor(
                                            static_cast<double>(plan.gpus) * granted_mw / plan.mw));
        const std::int64_t target = std::min({state.delivered, powered, plan.gpus});
        if (target > state.online) {
          const std::int64_t more = target - state.online;
          plan.online(
              more,
              round_money(plan.mw * static_cast<double>(more) / static_cast<double>(plan.gpus)),
              generation);
          state.online = target;
          continue;
        }
      }
      // Wait for news, or for the building when it is not ready yet. Whatever is still missing
      // at the horizon is not observed; the inbox is read to the end so nothing is left in it.
      const double until = std::min(std::max(plan.built_at, Kernel::now()), horizon);
      const bool building = Kernel::now() < plan.built_at;
      auto message = news.receive_until(building ? until : horizon);
      if (!message) {
        if (Kernel::now() >= horizon || !building) return;
        continue;  // the building is ready
      }
      if (const auto* answer = std::get_if<ConnectionAnswer>(&*message)) {
        granted_mw += answer->granted_mw;
        state.outstanding_mw = std::max(0.0, answer->outstanding_mw);
      } else if (const auto* shipment = std::get_if<GpuShipment>(&*message)) {
        state.delivered += shipment->gpus;
        generation = shipment->generation;
      }
    }
    world.deliveries.erase(plan.order);  // all its GPUs run
  });
}

}  // namespace tenderlab::detail
