// The run report and its observers (analysis/src/tenders_table.cpp, time_series.cpp,
// run_kpis.cpp, timeline.cpp), fed from an events.jsonl read back from disk: no simulation, no
// SimGrid. The golden log must give the golden tenders.csv byte for byte.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runner_test_support.hpp"
#include "tenderlab/analysis/run_report.hpp"
#include "tenderlab/engine/input_error.hpp"

using namespace tenderlab;
using namespace tenderlab::analysis;

namespace {

const std::filesystem::path golden = std::filesystem::path(TENDERLAB_SOURCE_DIR) / "tests/golden";

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Event event(std::uint64_t seq, const std::string& date, const auto& record) {
  return Event{seq, 0.0,           date, std::string(std::decay_t<decltype(record)>::type),
               "",  encode(record)};
}

}  // namespace

TEST_CASE("the report of the golden log read from disk is the golden tenders table") {
  RunReport report;
  std::size_t count = 0;
  for (const auto& e : read_event_log((golden / "small.events.jsonl").string())) {
    report.observe(e);
    ++count;
  }
  CHECK(report.tenders_csv() == file_text(golden / "small.tenders.csv"));
  CHECK(report.summary().at("events") == count);
  CHECK(report.kpis().at("gpu-lot.awarded") == 1.0);
}

TEST_CASE("each observer takes only the event types it subscribes to") {
  EventDispatcher events;
  TimeSeries series(events);
  TendersTable tenders(events);
  events::CallAnnounced announced;
  announced.call = "c";
  announced.round = 1;
  announced.terms.site = "any";
  events.dispatch(event(0, "2025-01-10", announced));
  events.dispatch(event(1, "2025-02-01", events::MonthStart{{5, 0, 1.5, 2, 3}}));
  // A type nobody subscribes to (an agent kind's own event) passes by.
  events.dispatch(Event{2, 0.0, "2025-02-01", "toy_tick", "", {{"month", "2025-02"}}});
  REQUIRE(tenders.rows().size() == 1);
  CHECK(tenders.rows().front().call_id == "c");
  CHECK(series.csv() ==
        "date,gpus_online,gpus_online_non_capital,mw_online,public_money_committed_bn_krw,"
        "private_money_committed_bn_krw\r\n2025-02-01,5,0,1.500,2.000,3.000\r\n");
}

TEST_CASE("the timeline prints what the events say, and nothing without a printer") {
  std::vector<std::string> lines;
  RunReport report([&lines](const std::string& line) { lines.push_back(line); });
  events::ExogenousEvent shock{"note", 1.0, "an election"};
  report.observe(event(0, "2025-06-03", shock));
  CHECK(lines == std::vector<std::string>{"2025-06-03  note: an election"});
  RunReport silent;
  CHECK_NOTHROW(silent.observe(event(0, "2025-06-03", shock)));
}

TEST_CASE("a report keeps working after it moves") {
  RunReport first;
  RunReport moved = std::move(first);
  events::CallAnnounced announced;
  announced.call = "c";
  announced.round = 1;
  moved.observe(event(0, "2025-01-10", announced));
  CHECK(moved.tenders().size() == 1);
}

TEST_CASE("a log line whose fields do not fit its event type is refused with line and pointer") {
  const testing::TempDir dir;
  const std::string path = dir.file("events.jsonl");
  std::ofstream(path)
      << R"({"seq":0,"time":0.0,"date":"2025-01-01","type":"capacity_online","agent":"a","call":"c","gpus":"many","mw":1.0,"site":"capital","delayed":false})"
      << "\n";
  try {
    read_event_log(path);
    FAIL("the log was accepted");
  } catch (const InputError& error) {
    REQUIRE(error.problems().size() == 1);
    CHECK(error.problems().front().file == path + ":1");
    CHECK(error.problems().front().pointer == "/gpus");
    CHECK(error.problems().front().expected == "an integer");
  }
}
