#include "tenderlab/engine/event_log.hpp"

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

EventLog::EventLog(Calendar calendar, std::ostream* out) : calendar_(calendar), out_(out) {}

std::string EventLog::to_line(const Event& event) {
  nlohmann::ordered_json line;
  line["seq"] = event.seq;
  line["time"] = event.time;
  line["date"] = event.date;
  line["type"] = event.type;
  line["agent"] = event.agent;
  for (const auto& [key, value] : event.fields.items())
    line[key] = value;
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

const Event& EventLog::emit(double time, std::string type, std::string agent,
                            nlohmann::ordered_json fields) {
  if (time < last_time_)
    throw ModelError("event log: time went backwards: event '" + type +
                     "' at t=" + std::to_string(time) + " after t=" + std::to_string(last_time_));
  last_time_ = time;
  last_ = Event{next_seq_++,      time, calendar_.iso(time), std::move(type), std::move(agent),
                std::move(fields)};
  std::string line = to_line(last_);
  line += '\n';
  digest_.update(line);
  if (out_) *out_ << line;
  for (const auto& observer : observers_)
    observer(last_);
  return last_;
}

}  // namespace tenderlab
