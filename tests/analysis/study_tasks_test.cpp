#include "tenderlab/analysis/study_tasks.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/sha256.hpp"

using namespace tenderlab;
using namespace tenderlab::analysis;
namespace fs = std::filesystem;

namespace {

const std::string kSourceDir = TENDERLAB_SOURCE_DIR;
const std::string kSmallStudy = kSourceDir + "/tests/golden/small-study.json";

/// A fresh folder under the system's temporary folder, removed with its content.
class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (fs::temp_directory_path() / "tenderlab-tasks-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// A study of the golden small scenario with `design` (JSON text) and `replications`.
std::string write_study(const TempFolder& folder, const std::string& design, int replications,
                        const std::string& factors) {
  const fs::path file = folder.path() / "study.json";
  std::ofstream out(file);
  out << R"({"format": "tenderlab-study/1", "name": "limits", "base": ")" << kSourceDir
      << R"(/tests/golden/small.json", "replications": )" << replications << R"(, "factors": )"
      << factors << R"(, "design": )" << design << "}";
  return file.string();
}

std::string numeric_factors(int count) {
  // Distinct names on one path: enough for counting points, which never touches the scenario.
  std::string factors = "[";
  for (int i = 0; i < count; ++i) {
    factors += std::string(i == 0 ? "" : ", ") + R"({"name": "f)" + std::to_string(i) +
               R"(", "path": "/calls/0/terms/tax_credit", "min": 0, "max": 0.25})";
  }
  return factors + "]";
}

InputProblem load_problem(const std::string& file) {
  try {
    load_study(file);
  } catch (const InputError& error) {
    REQUIRE(error.problems().size() == 1);
    return error.problems().front();
  }
  FAIL("the study was accepted");
  return {};
}

std::string payload_problem(const nlohmann::json& payload) {
  try {
    parse_study_payload(payload, "task");
  } catch (const WorkerTaskError& error) {
    const InputProblem& problem = error.problems().front();
    return problem.pointer + ": expected " + problem.expected + ", found " + problem.found;
  }
  FAIL("accepted: " << payload.dump());
  return {};
}

bool has_partial_files(const fs::path& folder) {
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.path().filename().string().find(".partial-") != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a study's tasks carry the point's changes, which give the scenario of the point") {
  auto study = std::make_shared<const Study>(load_study(kSmallStudy));
  const StudyTaskSource tasks(study);
  const StudyTaskSource tasks_with_scenario(study, true);
  const auto points = design_points(*study);
  REQUIRE(tasks.size() == points.size() * 4);
  REQUIRE(tasks.size() == 72);
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const RunTask task = tasks.task(i);
    const auto p = static_cast<std::size_t>(task.point);
    CHECK(p == i / 4);
    CHECK(task.replication == static_cast<int>(i % 4));
    CHECK(task.run_id == run_id(task.point, task.replication));
    CHECK(tasks.run_id(i) == task.run_id);
    CHECK(tasks.index_of(task.run_id) == i);
    CHECK(task.seed == study->seed);
    CHECK_FALSE(task.payload.contains("scenario"));
    const StudyRunPayload payload = parse_study_payload(task.payload, "task");
    CHECK(study_run_scenario(payload, &study->base, "task") == scenario_at(*study, points[p]));
    CHECK(payload.kpis == study->kpis);
    // Only the run the study names keeps its event log.
    CHECK(payload.events_file.empty() == (task.run_id != "p00000-r000"));

    const RunTask full = tasks_with_scenario.task(i);
    const StudyRunPayload full_payload = parse_study_payload(full.payload, "task");
    REQUIRE(full_payload.scenario != nullptr);
    CHECK(study_run_scenario(full_payload, nullptr, "task") == scenario_at(*study, points[p]));
  }
  CHECK_FALSE(tasks.index_of("p00018-r000").has_value());  // no such point
  CHECK_FALSE(tasks.index_of("p00000-r004").has_value());  // no such replication
  CHECK_FALSE(tasks.index_of("p0-r0").has_value());        // not as run_id() writes it
  CHECK_FALSE(tasks.index_of("p00000-r000x").has_value());
  CHECK_THROWS_AS(tasks.task(72), std::out_of_range);
}

TEST_CASE("a design of more runs than a study may have is refused before anything is generated") {
  TempFolder folder;
  // A 1000-level grid of three factors: a billion points, which used to fail in vector::reserve.
  InputProblem problem = load_problem(
      write_study(folder, R"({"type": "grid", "levels": 1000})", 1, numeric_factors(3)));
  CHECK(problem.pointer == "/design/levels");
  CHECK(problem.expected == "a design of at most 1000000 runs (design points x replications)");
  CHECK(problem.found == "1000000000 design points (1000 x 1000 x 1000 levels)");

  // 1000^7 points do not even fit in 64 bits: the count used to wrap around.
  problem = load_problem(
      write_study(folder, R"({"type": "grid", "levels": 1000})", 1, numeric_factors(7)));
  CHECK(problem.pointer == "/design/levels");
  CHECK(problem.found.rfind("more design points than this machine can count", 0) == 0);

  problem = load_problem(
      write_study(folder, R"({"type": "lhs", "samples": 1000})", 1001, numeric_factors(2)));
  CHECK(problem.pointer == "/replications");
  CHECK(problem.found == "1000 design points x 1001 replications = 1001000 runs");

  problem = load_problem(
      write_study(folder, R"({"type": "sobol", "samples": 500000})", 1, numeric_factors(2)));
  CHECK(problem.pointer == "/design/samples");
  CHECK(problem.found == "2000000 design points");

  // At the limit a study loads; its points are counted, not generated.
  const Study largest =
      load_study(write_study(folder, R"({"type": "grid", "levels": 1000})", 1, numeric_factors(2)));
  CHECK(largest.points == 1'000'000);
  const Study replicated =
      load_study(write_study(folder, R"({"type": "grid"})", 100'000, numeric_factors(0)));
  CHECK(replicated.points == 1);
  const StudyTaskSource tasks(std::make_shared<const Study>(replicated));
  CHECK(tasks.size() == 100'000);
  CHECK(tasks.task(99'999).run_id == "p00000-r99999");
  CHECK(tasks.index_of("p00000-r99999") == 99'999u);

  // A Latin hypercube of a million samples, the most a study may have: its tasks are made one
  // at a time from the point's factor values (a full scenario per task used to need some 50 GB).
  const Study sampled = load_study(
      write_study(folder, R"({"type": "lhs", "samples": 1000000})", 1, numeric_factors(2)));
  CHECK(sampled.points == 1'000'000);
  const StudyTaskSource sampled_tasks(std::make_shared<const Study>(sampled));
  CHECK(sampled_tasks.size() == 1'000'000);
  const RunTask last = sampled_tasks.task(999'999);
  CHECK(last.run_id == "p999999-r000");
  CHECK(sampled_tasks.index_of("p999999-r000") == 999'999u);
  CHECK_FALSE(last.payload.contains("scenario"));
}

TEST_CASE("a study run payload is read strictly, every field named by its pointer") {
  CHECK(payload_problem(5) == "/payload: expected an object, found 5");
  CHECK(payload_problem({{"scenario", 3}}) ==
        "/payload/scenario: expected a scenario (an object), found 3");
  CHECK(payload_problem({{"patch", {{{"path", "calls/0"}, {"value", 1}}}}}) ==
        "/payload/patch/0/path: expected a JSON Pointer such as \"/calls/0/terms/tax_credit\", "
        "found the string \"calls/0\"");
  CHECK(payload_problem({{"patch", {{{"path", "/a"}}}}}) ==
        "/payload/patch/0/value: expected a value, found nothing (missing)");
  CHECK(payload_problem({{"kpis", {1}}}) ==
        "/payload/kpis/0: expected a KPI name (string), found 1");
  CHECK(payload_problem({{"events_file", 3}}) ==
        "/payload/events_file: expected the path of the file to keep the event log in, or null, "
        "found 3");
  CHECK(
      payload_problem({{"scenarios", nlohmann::json::object()}}).rfind("/payload/scenarios:", 0) ==
      0);

  const nlohmann::json payload = {{"patch", {{{"path", "/calls/7/terms"}, {"value", 1}}}}};
  const StudyRunPayload run = parse_study_payload(payload, "task");
  const nlohmann::json base = {{"calls", nlohmann::json::array()}};
  try {
    study_run_scenario(run, &base, "task");
    FAIL("a change of a value that does not exist was applied");
  } catch (const WorkerTaskError& error) {
    CHECK(error.problems().front().pointer == "/payload/patch/0/path");
  }
  CHECK_THROWS_AS(study_run_scenario(run, nullptr, "task"), WorkerTaskError);
}

TEST_CASE("a kept event log may only be written inside the folder of kept logs") {
  TempFolder folder;
  const fs::path events = folder.path() / "db-events";
  fs::create_directories(events);
  fs::create_directories(folder.path() / "outside");
  fs::create_directory_symlink(folder.path() / "outside", events / "link");
  const std::string dir = events.string();
  const fs::path resolved = fs::canonical(events);

  CHECK(confine_events_file(dir + "/p00001-r000.events.jsonl", dir, "task") ==
        resolved / "p00001-r000.events.jsonl");
  CHECK(confine_events_file(dir + "/../db-events/./x.jsonl", dir, "task") == resolved / "x.jsonl");
  for (const std::string& escape : {dir + "/../escape.events.jsonl", std::string("/etc/passwd"),
                                    dir + "/link/x.events.jsonl", dir + "/sub/x.events.jsonl",
                                    dir + "/..", dir + "/", std::string("relative.events.jsonl")}) {
    try {
      confine_events_file(escape, dir, "task");
      FAIL("accepted " << escape);
    } catch (const WorkerTaskError& error) {
      const InputProblem& problem = error.problems().front();
      CHECK(problem.pointer == "/payload/events_file");
      CHECK(problem.expected.find("a file directly in " + resolved.string()) == 0);
    }
  }
  // A worker told of no folder keeps nothing.
  CHECK_THROWS_AS(confine_events_file(dir + "/x.events.jsonl", "", "task"), WorkerTaskError);
}

TEST_CASE("a kept event log is put in place only when it is whole") {
  TempFolder folder;
  const fs::path target = folder.path() / "db-events" / "p00000-r000.events.jsonl";
  const std::string content(200'000, 'e');
  {
    KeptEventLog log(target);
    log.stream() << content;
    log.commit(sha256_hex(content));
  }
  CHECK(fs::file_size(target) == content.size());
  CHECK(sha256_file(target) == sha256_hex(content));
  CHECK_FALSE(has_partial_files(target.parent_path()));

  // Content that is not the run's event log (here: one byte short of it) is refused.
  const fs::path other = folder.path() / "db-events" / "p00000-r001.events.jsonl";
  {
    KeptEventLog log(other);
    log.stream() << content.substr(1);
    try {
      log.commit(sha256_hex(content));
      FAIL("a log that does not hash to the run's event log was kept");
    } catch (const KeptEventLogError& error) {
      CHECK(std::string(error.what()).find("is not the run's event log") != std::string::npos);
    }
  }
  CHECK_FALSE(fs::exists(other));
  CHECK_FALSE(has_partial_files(target.parent_path()));
}

TEST_CASE("every write of a kept event log is checked: a full disk is an error") {
  // /dev/full fails every write with ENOSPC, as a full file system does.
  const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    WARN("no /dev/full on this machine: not checked");
    return;
  }
  CheckedFileBuffer buffer(fd);
  std::ostream out(&buffer);
  out << std::string(100'000, 'x') << std::flush;
  CHECK_FALSE(out.good());
  CHECK(buffer.error() == ENOSPC);
  out << "more";  // later writes fail too, and change nothing
  CHECK(buffer.error() == ENOSPC);
  ::close(fd);
}

TEST_CASE("a kept event log that hits a file size limit fails the run and leaves no file") {
  TempFolder folder;
  const fs::path target = folder.path() / "db-events" / "p00000-r000.events.jsonl";
  const std::string content(100'000, 'e');
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Writes past 16 KiB fail with EFBIG once SIGXFSZ is ignored: a disk that fills up as the
    // log is written, without a file system of our own.
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{16384, 16384};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      KeptEventLog log(target);
      log.stream() << content;
      log.commit(sha256_hex(content));
    } catch (const KeptEventLogError& error) {
      const std::string what = error.what();
      _exit(what.find("cannot keep the event log " + target.string()) == 0 &&
                    what.find("File too large") != std::string::npos
                ? 0
                : 2);
    }
    _exit(1);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(fs::exists(target));
  CHECK_FALSE(has_partial_files(target.parent_path()));
}
