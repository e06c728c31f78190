// A GPU vendor's actor. Orders wait in a backlog; at noon on the first day of each quarter the
// vendor decides the whole backlog together (GpuVendor::confirm_orders: max-min fair among
// buyers, so no buyer gains from its place in the backlog), filling every order with its
// preferred generation of the day, and ships each confirmation after its lead time.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "world.hpp"

namespace tenderlab::detail {

namespace {

constexpr double never = std::numeric_limits<double>::infinity();

struct Backlogged {
  GpuOrderAsk ask;
  std::int64_t outstanding = 0;
};

struct Shipment {
  double at = 0;
  std::string order;
  std::string buyer;
  std::string generation;
  std::int64_t gpus = 0;
  std::string reply_to;
};

}  // namespace

const VendorSpec* preferred_vendor(const World& world, Date date) {
  const VendorSpec* best = nullptr;
  double best_cost = 0;
  // Vendors in the order of their ids, so that a tie never depends on the file's order.
  for (const auto& entry : world.vendors) {
    const std::string& id = entry.first;
    const GpuGeneration* generation = entry.second.preferred_generation(date);
    if (!generation) continue;
    const double cost = price_per_performance_bn_krw(*generation, date);
    if (!best || cost < best_cost) {
      const auto spec = std::find_if(world.scenario.vendors.begin(), world.scenario.vendors.end(),
                                     [&](const VendorSpec& v) { return v.agent == id; });
      best = &*spec;
      best_cost = cost;
    }
  }
  return best;
}

void run_vendor(World& world, const VendorSpec& spec) {
  const GpuVendor& vendor = world.vendors.at(spec.agent);
  const Calendar& calendar = world.log.calendar();
  Inbox<GpuOrderAsk> inbox(vendor_inbox(spec.agent));
  inbox.claim();
  std::map<std::string, Backlogged> backlog;  // by order id
  std::vector<Shipment> shipping;             // by (at, order)
  // Decisions at noon, so that orders placed at the start of the day (fleets decide at 00:00)
  // are in, whatever the order the actors run in.
  const double decision_hour = 0.5 * seconds_per_day;
  auto next_quarter_noon = [&] {
    const Date today = calendar.to_date(Kernel::now());
    double at = world.time_of(quarter_start(quarter_of(today))) + decision_hour;
    if (at <= Kernel::now())
      at = world.time_of(quarter_start(quarter_of(today) + 1)) + decision_hour;
    return at;
  };
  double next_decision = never;
  const double horizon = world.kernel.horizon_time();
  for (;;) {
    double next_shipment = never;
    if (!shipping.empty()) next_shipment = shipping.front().at;
    const double next = std::min({next_decision, next_shipment, horizon});
    if (auto ask = inbox.receive_until(next)) {
      const std::string id = ask->order;
      if (!backlog.emplace(id, Backlogged{*ask, ask->gpus}).second)
        throw ModelError("vendor " + spec.agent + ": order " + id + " placed twice");
      if (next_decision == never) next_decision = next_quarter_noon();
      continue;
    }
    if (next >= horizon) return;
    while (!shipping.empty() && shipping.front().at <= next) {
      const Shipment s = shipping.front();
      shipping.erase(shipping.begin());
      world.emit(s.buyer, events::GpusDelivered{spec.agent, s.order, s.generation, s.gpus});
      Inbox<DeliveryNews>(s.reply_to).send(GpuShipment{s.gpus, s.generation});
    }
    if (next != next_decision) continue;

    const Date today = calendar.to_date(next);
    const GpuGeneration* generation = vendor.preferred_generation(today);
    if (generation) {
      std::vector<GpuOrder> orders;
      for (const auto& [id, entry] : backlog)
        orders.push_back({entry.ask.buyer, generation->id, entry.outstanding});
      const double multiplier = supply_multiplier(world.scenario.events, spec.agent, today);
      std::map<std::string, std::int64_t> confirmed;  // by buyer
      for (const OrderConfirmation& c : vendor.confirm_orders(orders, today, multiplier))
        confirmed[c.buyer] += c.confirmed;
      const Date delivery = vendor.delivery_date(today);
      const double ship_at = std::max(world.time_of(delivery), next);
      // A buyer's GPUs go to its orders in the order of their ids (its earlier fleet orders,
      // then later ones; a contract before or after by name): one rule, never the arrival order.
      for (auto& [id, entry] : backlog) {
        std::int64_t& left = confirmed[entry.ask.buyer];
        const std::int64_t now_confirmed = std::min(left, entry.outstanding);
        left -= now_confirmed;
        const std::int64_t before = entry.outstanding;
        entry.outstanding -= now_confirmed;
        world.emit(entry.ask.buyer,
                   events::GpusAllocated{spec.agent, id, generation->id, before, now_confirmed,
                                         entry.outstanding, delivery.iso()});
        if (now_confirmed > 0) {
          const Shipment s{ship_at,           id, entry.ask.buyer, generation->id, now_confirmed,
                           entry.ask.reply_to};
          const auto at = std::upper_bound(
              shipping.begin(), shipping.end(), s, [](const Shipment& a, const Shipment& b) {
                return a.at < b.at || (a.at == b.at && a.order < b.order);
              });
          shipping.insert(at, s);
        }
      }
      for (auto it = backlog.begin(); it != backlog.end();)
        it = it->second.outstanding == 0 ? backlog.erase(it) : std::next(it);
    }
    next_decision = backlog.empty()
                        ? never
                        : world.time_of(quarter_start(quarter_of(today) + 1)) + decision_hour;
  }
}

}  // namespace tenderlab::detail
