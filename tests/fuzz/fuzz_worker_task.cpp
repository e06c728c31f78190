// Fuzz target: the worker protocol's task lines (docs/cluster.md#worker-protocol), which
// `tenderlab worker` reads from its standard input. The input is what arrives on that input: each
// non-blank line is parsed into a RunTask until the first line that is not a task, as
// serve_worker does. A task that parses must survive a round trip through its JSON form.
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_target.hpp"
#include "tenderlab/analysis/run_pool.hpp"
#include "tenderlab/engine/input_error.hpp"

namespace tenderlab::fuzz {

const char* const target_name = "fuzz_worker_task";

namespace {

// The parser under test: how serve_worker turns one line into a task. When the library offers a
// line parser of its own, call it here instead and keep is_expected_error in step with the
// errors it documents.
analysis::RunTask parse_task_line(std::string_view line) {
  return nlohmann::json::parse(line).get<analysis::RunTask>();
}

// The errors a bad line may produce: from_json documents nlohmann::json exceptions for missing
// or mistyped fields and std::invalid_argument for a bad seed; InputError is the error type of
// every other input of tenderlab.
bool is_expected_error(const std::exception& error) {
  return dynamic_cast<const nlohmann::json::exception*>(&error) != nullptr ||
         dynamic_cast<const std::invalid_argument*>(&error) != nullptr ||
         dynamic_cast<const InputError*>(&error) != nullptr;
}

bool same_task(const analysis::RunTask& a, const analysis::RunTask& b) {
  return a.run_id == b.run_id && a.point == b.point && a.replication == b.replication &&
         a.seed == b.seed && a.payload == b.payload;
}

}  // namespace

void initialize() {}

Verdict test_one_input(std::string_view input) {
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    start = end + 1;
    // serve_worker skips blank lines.
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    analysis::RunTask task;
    try {
      task = parse_task_line(line);
    } catch (const std::exception& error) {
      if (is_expected_error(error)) return Verdict::rejected;
      report_finding(error);
    }
    // What a task writes is what it reads back (tasks files are written and read by tenderlab).
    try {
      const auto again =
          nlohmann::json::parse(nlohmann::json(task).dump()).get<analysis::RunTask>();
      if (!same_task(task, again)) report_finding("a task differs after a round trip through JSON");
    } catch (const std::exception& error) {
      report_finding(error);
    }
  }
  return Verdict::accepted;
}

}  // namespace tenderlab::fuzz
