#pragma once
// The event log: one schema-versioned stream of every observable fact, written through this one
// sink as JSON Lines with a canonical key order (seq, time, date, type, agent, then the type's
// fields in their order). The events are records (events.hpp): emit<E>() writes one. Observers
// (timeline, tender table, KPIs) subscribe to it; they never touch the simulation loop. Format:
// docs/event-log.md.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/engine/calendar.hpp"
#include "tenderlab/engine/record.hpp"
#include "tenderlab/engine/sha256.hpp"

namespace tenderlab {

inline constexpr int event_log_schema_version = 1;

struct Event {
  std::uint64_t seq = 0;
  double time = 0;  ///< seconds since the scenario's start date
  std::string date;
  std::string type;
  std::string agent;  ///< the agent or institution the event is about ("" for the world)
  nlohmann::ordered_json fields;
};

class EventLog {
 public:
  using Observer = std::function<void(const Event&)>;

  /// `out` may be null: the log is then only hashed and observed.
  EventLog(Calendar calendar, std::ostream* out);
  /// Appends an event of type E (a record with a static `type`, events.hpp) about `agent`, its
  /// fields in the record's order. Time must never go backwards (a ModelError otherwise).
  template <Record E>
  const Event& emit(double time, std::string agent, const E& event) {
    return emit(time, std::string(E::type), std::move(agent), encode(event));
  }
  /// Appends an event whose fields are already JSON (the typed emit above writes through it).
  const Event& emit(double time, std::string type, std::string agent,
                    nlohmann::ordered_json fields = nlohmann::ordered_json::object());
  void subscribe(Observer observer) { observers_.push_back(std::move(observer)); }

  std::uint64_t count() const { return next_seq_; }
  std::string sha256() const { return digest_.hex_digest(); }
  const Calendar& calendar() const { return calendar_; }
  /// The canonical JSON line of an event (without the trailing newline).
  static std::string to_line(const Event& event);

 private:
  Calendar calendar_;
  std::ostream* out_;
  Sha256 digest_;
  std::uint64_t next_seq_ = 0;
  double last_time_ = 0;
  Event last_;
  std::vector<Observer> observers_;
};

}  // namespace tenderlab
