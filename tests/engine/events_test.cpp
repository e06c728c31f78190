// The event structs (engine/include/tenderlab/engine/events.hpp) and the record machinery they
// are written with (record.hpp): what they write is what the log says, field for field and byte
// for byte, and what does not fit is refused with the JSON Pointer of the value.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "tenderlab/engine/event_dispatcher.hpp"
#include "tenderlab/engine/event_log.hpp"
#include "tenderlab/engine/events.hpp"

using namespace tenderlab;

namespace {

Event event_of_line(const std::string& line) {
  const auto j = nlohmann::ordered_json::parse(line);
  Event e{j.at("seq"),  j.at("time"),  j.at("date"),
          j.at("type"), j.at("agent"), nlohmann::ordered_json::object()};
  for (const auto& [key, value] : j.items())
    if (key != "seq" && key != "time" && key != "date" && key != "type" && key != "agent")
      e.fields[key] = value;
  return e;
}

/// The event read into its struct and written again, as a log line.
std::string rewritten(const Event& event) {
  std::string line;
  events::for_each_event_type([&](auto tag) {
    using E = decltype(tag);
    if (E::type != event.type) return;
    Event again = event;
    again.fields = encode(decode_event<E>(event));
    line = EventLog::to_line(again);
  });
  return line;
}

InputProblem problem_of(const std::function<void()>& read) {
  try {
    read();
  } catch (const InputError& error) {
    REQUIRE(error.problems().size() == 1);
    return error.problems().front();
  }
  FAIL("the value was accepted");
  return {};
}

}  // namespace

TEST_CASE("every line of the golden log reads into its struct and writes back byte for byte") {
  std::ifstream in(std::filesystem::path(TENDERLAB_SOURCE_DIR) / "tests/golden/small.events.jsonl");
  REQUIRE(in);
  std::set<std::string> types;
  std::size_t lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    const Event event = event_of_line(line);
    INFO(line);
    REQUIRE(is_known_event_type(event.type));
    CHECK(rewritten(event) == line);
    types.insert(event.type);
  }
  CHECK(lines > 50);
  // The golden scenario exercises most types, the three forms of bid_decision among them.
  CHECK(types.count("bid_decision"));
  CHECK(types.count("round_failed"));
  CHECK(types.count("capacity_online"));
}

TEST_CASE("an event type's fields are written in the struct's order, optional ones only when set") {
  events::BidDecision decision;
  decision.call = "spc";
  decision.round = 2;
  decision.decision = "in_consortium";
  decision.reason = "member of the consortium led by kt";
  CHECK(
      encode(decision).dump() ==
      R"({"call":"spc","round":2,"decision":"in_consortium","reason":"member of the consortium led by kt"})");
  decision.decision = "bid";
  decision.team = std::vector<std::string>{"a"};
  decision.supply = events::SupplyQuote{10.5, 9.0, 1.25, 9.75, 3};
  CHECK(
      encode(decision).dump() ==
      R"({"call":"spc","round":2,"decision":"bid","team":["a"],"price_bn_krw":10.5,"cost_bn_krw":9.0,"expected_profit_bn_krw":1.25,"entry_threshold_bn_krw":9.75,"suppliers":3,"reason":"member of the consortium led by kt"})");
  // A nullable field is written as null, never left out.
  events::CallAnnounced announced;
  CHECK(encode(announced).at("loi_deadline").is_null());
  CHECK(encode(announced).at("terms").at("ceiling_price_bn_krw").is_null());
  CHECK_FALSE(encode(announced).contains("revision"));
}

TEST_CASE("an event that does not fit its struct is refused at the pointer of the bad value") {
  const Event good = event_of_line(
      R"({"seq":3,"time":0.0,"date":"2025-01-01","type":"capacity_online","agent":"kt","call":"spc","gpus":500,"mw":1.2,"site":"capital","delayed":false})");
  CHECK(decode_event<events::CapacityOnline>(good).gpus == 500);

  Event missing = good;
  missing.fields.erase("site");
  auto p = problem_of([&] { check_known_event(missing); });
  CHECK(p.pointer == "/site");
  CHECK(p.found == "nothing (missing)");

  Event wrong = good;
  wrong.fields["gpus"] = "500";
  p = problem_of([&] { check_known_event(wrong); });
  CHECK(p.pointer == "/gpus");
  CHECK(p.expected == "an integer");
  CHECK(p.found == "the string \"500\"");

  Event extra = good;
  extra.fields["colour"] = "blue";
  p = problem_of([&] { check_known_event(extra); });
  CHECK(p.pointer == "/colour");

  Event nested = event_of_line(
      R"({"seq":1,"time":0.0,"date":"2025-01-01","type":"round_failed","agent":"tender-board","call":"c","round":1,"valid_bids":0,"required":1,"reason":"r","stayed_away":[{"agent":"a","role":"lead","value_bn_krw":-1.0,"obstacles":[{"term":"site","delta_bn_krw":true}]}]})");
  p = problem_of([&] { check_known_event(nested); });
  CHECK(p.pointer == "/stayed_away/0/obstacles/0/delta_bn_krw");
  CHECK(p.expected == "a number");

  // Events of other types (an agent kind's own) are not tenderlab's to check.
  Event own = good;
  own.type = "toy_tick";
  CHECK_FALSE(is_known_event_type("toy_tick"));
  CHECK_NOTHROW(check_known_event(own));
}

TEST_CASE("the dispatcher reads each event once and calls subscribers in the order they came") {
  EventDispatcher dispatcher;
  std::vector<std::string> calls;
  dispatcher.on<events::MonthStart>([&](const Event&, const events::MonthStart& m) {
    calls.push_back("a" + std::to_string(m.gpus_online));
  });
  dispatcher.on_every([&](const Event& e) { calls.push_back("every " + e.type); });
  dispatcher.on<events::MonthStart>([&](const Event&, const events::MonthStart& m) {
    calls.push_back("b" + std::to_string(m.gpus_online));
  });
  Event month{0, 0, "2025-02-01", "month_start", "", encode(events::MonthStart{{7, 0, 0, 0, 0}})};
  Event other{1, 0, "2025-02-01", "toy_tick", "", nlohmann::ordered_json::object()};
  dispatcher.dispatch(month);
  dispatcher.dispatch(other);
  CHECK(calls == std::vector<std::string>{"a7", "every month_start", "b7", "every toy_tick"});
}

TEST_CASE("a record documents its fields: JSON types, optional and inline groups") {
  const auto rows = describe_fields<events::BidDecision>();
  std::vector<std::string> names;
  for (const auto& row : rows)
    names.push_back(row.name);
  CHECK(names.front() == "call");
  CHECK(std::find(names.begin(), names.end(), "capital_limit_bn_krw") != names.end());
  CHECK(std::find(names.begin(), names.end(), "cost_bn_krw") != names.end());
  for (const auto& row : rows) {
    if (row.name == "team") {
      CHECK(row.json_type == "array of strings");
      CHECK(row.meaning.rfind("*(optional)* ", 0) == 0);
    }
    if (row.name == "value_bn_krw") CHECK(row.meaning.rfind("*(SPC partner calls)* ", 0) == 0);
    if (row.name == "round") CHECK(row.json_type == "integer");
  }
  for (const auto& row : describe_fields<events::CallAnnounced>())
    if (row.name == "loi_deadline") CHECK(row.json_type == "string or null");
}
