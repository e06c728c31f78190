#pragma once
// Reading the event log by type: observers subscribe to the event types they need and receive
// each event read into its struct (events.hpp). The same path serves a live run (the log's
// observers) and a log read back from events.jsonl, so both give the same reports.
#include <any>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tenderlab/engine/event_log.hpp"
#include "tenderlab/engine/events.hpp"

namespace tenderlab {

/// The event's fields read into E. Throws InputError naming the JSON Pointer of a field that
/// does not fit (no file: readers of files add it), and ModelError if the event is not an E.
template <class E>
E decode_event(const Event& event) {
  if (event.type != E::type)
    throw ModelError("decode_event: a " + event.type + " event read as " + std::string(E::type));
  E out;
  decode(event.fields, out, "");
  return out;
}

/// True when tenderlab writes events of this type (events::EventTypes).
bool is_known_event_type(std::string_view type);
/// Reads a known event's fields into its struct, to check them: throws InputError as
/// decode_event does. Events of other types (a kind's own, say) are left alone.
void check_known_event(const Event& event);

class EventDispatcher {
 public:
  /// Calls `handler` with every event of type E, read into its struct.
  template <class E>
  void on(std::function<void(const Event&, const E&)> handler) {
    decoders_.emplace(std::string(E::type),
                      [](const Event& event) { return std::any(decode_event<E>(event)); });
    subscriptions_.push_back(
        {std::string(E::type),
         [handler = std::move(handler)](const Event& event, const std::any& decoded) {
           handler(event, std::any_cast<const E&>(decoded));
         }});
  }
  /// Calls `handler` with every event, whatever its type.
  void on_every(std::function<void(const Event&)> handler) {
    subscriptions_.push_back({"", [handler = std::move(handler)](
                                      const Event& event, const std::any&) { handler(event); }});
  }
  /// Hands the event to its subscribers, in the order they subscribed; the event is read into
  /// its struct once, however many subscribe to its type.
  void dispatch(const Event& event) const;

 private:
  struct Subscription {
    std::string type;  ///< "" for every type
    std::function<void(const Event&, const std::any&)> call;
  };
  std::vector<Subscription> subscriptions_;
  std::map<std::string, std::function<std::any(const Event&)>, std::less<>> decoders_;
};

}  // namespace tenderlab
