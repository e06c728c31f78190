// The grid operator's actor. The decisions are the connection queue's (connection_queue.hpp);
// this file gives them a clock: reviews every review_days, planned upgrades and reinforcements on
// their dates, answers to the deliveries that wait for their MW (delivery_actor.cpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "world.hpp"

namespace tenderlab::detail {

namespace {

constexpr double never = std::numeric_limits<double>::infinity();

/// A reinforcement under way: `mw` more supply at `node` from `ready_at`, for request `id`.
struct Reinforcement {
  double ready_at = 0;
  std::string id;
  std::string node;
  double mw = 0;
};

}  // namespace

void run_grid_operator(World& world) {
  const GridSpec& spec = *world.scenario.grid;
  PowerGrid& grid = *world.grid;
  Inbox<ConnectionAsk> inbox(grid_inbox);
  inbox.claim();
  ConnectionQueue queue;
  std::map<std::string, std::string> reply_to;
  std::vector<Reinforcement> building;  // by (ready_at, id)
  std::size_t next_upgrade = 0;
  const double review_every = spec.review_days * seconds_per_day;
  const double review_hour = 0.5 * seconds_per_day;
  const double horizon = world.kernel.horizon_time();
  // Data centres outside the model apply for power at these nodes all the time, so every review
  // date is a review while there are any.
  std::vector<const GridNodeSpec*> others_apply;
  for (const GridNodeSpec& node : spec.nodes)
    if (node.other_applications_mw_per_year > 0) others_apply.push_back(&node);
  double last_review = 0;
  for (;;) {
    const double now = Kernel::now();
    // Reviews fall at noon every review_days from the start (noon, so that requests made at the
    // start of a day, as fleets make them, are decided the same way whatever the actors' order);
    // a request waits for the first review after it.
    const double next_review =
        queue.empty() && others_apply.empty()
            ? never
            : (std::floor((now - review_hour) / review_every) + 1) * review_every + review_hour;
    const double next_upgrade_at = next_upgrade < spec.upgrades.size()
                                       ? world.time_of(spec.upgrades[next_upgrade].date)
                                       : never;
    double next_ready = never;
    if (!building.empty()) next_ready = building.front().ready_at;
    const double next = std::min({next_review, next_upgrade_at, next_ready, horizon});
    if (auto ask = inbox.receive_until(next)) {
      world.emit(ask->request.user, events::ConnectionRequested{
                                        ask->request.site, ask->request.node, ask->request.call,
                                        round_money(ask->request.requested_mw)});
      reply_to[ask->request.id] = ask->reply_to;
      queue.add(std::move(ask->request));
      continue;
    }
    if (next >= horizon) return;
    // Everything due now, in a fixed order: planned upgrades, finished reinforcements, then the
    // review, which sees the grid with both.
    while (next_upgrade < spec.upgrades.size() &&
           world.time_of(spec.upgrades[next_upgrade].date) <= next) {
      const GridUpgradeSpec& upgrade = spec.upgrades[next_upgrade++];
      if (upgrade.to.empty())
        grid.add_supply(upgrade.node, upgrade.mw);
      else
        grid.upgrade_line(upgrade.node, upgrade.to, upgrade.mw);
      world.emit(spec.operator_id, events::GridReinforced{upgrade.node, upgrade.to,
                                                          round_money(upgrade.mw), "planned"});
    }
    while (!building.empty() && building.front().ready_at <= next) {
      const Reinforcement done = building.front();
      building.erase(building.begin());
      grid.add_supply(done.node, done.mw);
      queue.reinforcement_done(done.id, done.mw);
      world.emit(spec.operator_id,
                 events::GridReinforced{done.node, "", round_money(done.mw), "reinforcement"});
    }
    if (next != next_review) continue;
    // The applications others made since the last review, at the year's rate (365.25 days).
    const double years_since = (next - last_review) / (365.25 * seconds_per_day);
    last_review = next;
    for (const GridNodeSpec* node : others_apply) {
      QueuedConnection others;
      others.id = "(others)/" + node->id;
      others.node = node->id;
      others.user = spec.operator_id;
      others.requested_mw = node->other_applications_mw_per_year * years_since;
      others.requested_at = next;
      others.lapses = true;
      queue.add(std::move(others));
    }
    const ReviewOutcome outcome = queue.review(grid, spec.reinforce);
    for (const ConnectionDecision& d : outcome.decisions) {
      const QueuedConnection& r = d.request;
      if (r.lapses) {
        world.emit(spec.operator_id, events::OtherApplicationsDecided{
                                         r.node, node_region(spec, r.node),
                                         capital_node(spec, r.node), round_money(r.requested_mw),
                                         round_money(d.granted_mw), round_money(d.headroom_mw)});
        continue;
      }
      const auto waited =
          static_cast<std::int64_t>(std::floor((next - r.requested_at) / seconds_per_day));
      world.emit(r.user, events::ConnectionDecided{
                             r.site, r.node, r.call, d.decision(), round_money(r.requested_mw),
                             round_money(d.granted_mw), round_money(r.outstanding_mw),
                             round_money(d.headroom_mw), waited});
      world.site_mw[r.site] += d.granted_mw;
      if (d.granted_mw > 0)
        Inbox<DeliveryNews>(reply_to.at(r.id))
            .send(ConnectionAnswer{d.granted_mw, r.outstanding_mw});
    }
    const double ready_at = next + spec.reinforcement_days * seconds_per_day;
    for (const ReinforcementOrder& order : outcome.reinforcements) {
      const Reinforcement started{ready_at, order.id, order.node, order.mw};
      const auto at = std::upper_bound(
          building.begin(), building.end(), started, [](const auto& a, const auto& b) {
            return a.ready_at < b.ready_at || (a.ready_at == b.ready_at && a.id < b.id);
          });
      building.insert(at, started);
    }
  }
}

}  // namespace tenderlab::detail
