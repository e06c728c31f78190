#pragma once
// What a kind's start function and its actors see of a running simulation: the scenario, the
// calendar, random streams, actors on the agents' hosts, simulated time and the event log. A kind
// written against this header alone (an agent kind in a test, say) needs nothing private to the
// agents library; the kinds of the library itself reach its shared state through world().
#include <functional>
#include <string>

#include "tenderlab/engine/calendar.hpp"
#include "tenderlab/engine/event_log.hpp"
#include "tenderlab/engine/rng.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

namespace detail {
struct World;
}

class SimulationContext {
 public:
  explicit SimulationContext(detail::World& world) : world_(world) {}
  SimulationContext(const SimulationContext&) = delete;
  SimulationContext& operator=(const SimulationContext&) = delete;

  const Scenario& scenario() const;
  const Calendar& calendar() const;
  /// The stream of (seed, replication, key): name it after the agent (or agent/purpose), never
  /// after anything that depends on the order things happen in.
  Rng stream(const std::string& key) const;
  /// Starts an actor named `name` on the host of agent `agent_id` (every agent has one). Call it
  /// from a start function, or from an actor for work that runs on its own clock.
  void spawn(const std::string& name, const std::string& agent_id, std::function<void()> body);

  /// Simulated seconds since the scenario's start date.
  static double now();
  /// Waits until absolute simulated time `time`; a time past the horizon stops the run with a
  /// RunError, so an actor must not sleep beyond horizon_time().
  static void sleep_until(double time);
  /// The last simulated instant: the end of the horizon day.
  double horizon_time() const;
  /// The time of `hour` o'clock on `date`.
  double time_of(Date date, double hour = 0) const;

  /// Logs an event of type E (a record with a static `type`, see events.hpp; a kind may define
  /// its own) about agent `agent_id`, now.
  template <Record E>
  const Event& emit(const std::string& agent_id, const E& event) {
    return emit_fields(std::string(E::type), agent_id, encode(event));
  }

  /// The agents library's shared state, for the kinds it defines itself (world.hpp).
  detail::World& world() const { return world_; }

 private:
  const Event& emit_fields(std::string type, const std::string& agent_id,
                           nlohmann::ordered_json fields);
  detail::World& world_;
};

}  // namespace tenderlab
