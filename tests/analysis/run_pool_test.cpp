#include "tenderlab/analysis/run_pool.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "runner_test_support.hpp"
#include "tenderlab/analysis/results_store.hpp"

using namespace tenderlab::analysis;
using testing::fake_run;
using testing::make_tasks;
using testing::TempDir;

namespace {

// Under AddressSanitizer a SIGSEGV is turned into a report and exit status 1, so the exact
// signal in the reason cannot be checked there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSignalsReachTheRunner = false;
#else
constexpr bool kSignalsReachTheRunner = true;
#endif

PoolOptions jobs(int count) {
  PoolOptions options;
  options.jobs = count;
  return options;
}

// Tasks covering every way a run can end.
std::vector<RunTask> mixed_tasks() {
  auto tasks = make_tasks(15, 4);
  tasks[2].payload["mode"] = "throw";
  tasks[5].payload["mode"] = "segv";
  tasks[6].payload["mode"] = "abort";
  tasks[8].payload["mode"] = "exit3";
  tasks[10].payload["mode"] = "silent";
  tasks[11].payload["mode"] = "fail";
  tasks[13].payload["mode"] = "bad_status";
  return tasks;
}

RunRecord find_run(ResultsStore& store, const std::string& run_id) {
  for (auto& run : store.runs()) {
    if (run.run_id == run_id) return run;
  }
  FAIL("run " << run_id << " is not recorded");
  return {};
}

// Runs the pool in a forked process, as a study command would, so that the test can kill it.
pid_t start_pool_process(const std::vector<RunTask>& tasks, const std::string& path, int count) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    try {
      ResultsStore store(path);
      const PoolReport report = run_pool(tasks, fake_run, store, jobs(count));
      _exit(report.interrupted ? 130 : 0);
    } catch (...) {
      _exit(1);
    }
  }
  REQUIRE(pid > 0);
  return pid;
}

// Waits until at least `count` runs are committed to the database at `path`.
void wait_for_recorded_runs(const std::string& path, std::size_t count) {
  ResultsStore watcher(path);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (watcher.finished_runs().size() < count) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int wait_status(pid_t pid) {
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

}  // namespace

TEST_CASE("every way a run ends is recorded with its status and reason") {
  TempDir dir;
  ResultsStore store(dir.file("results.db"));
  const auto tasks = mixed_tasks();
  const PoolReport report = run_pool(tasks, fake_run, store, jobs(2));
  CHECK(report.total == 15);
  CHECK(report.skipped == 0);
  CHECK(report.ok == 8);
  CHECK(report.failed == 3);
  CHECK(report.crashed == 4);
  CHECK_FALSE(report.interrupted);

  const auto thrown = find_run(store, tasks[2].run_id);
  CHECK(thrown.status == "failed");
  CHECK(thrown.reason == "fake failure in " + tasks[2].run_id);
  const auto reported = find_run(store, tasks[11].run_id);
  CHECK(reported.status == "failed");
  CHECK(reported.reason == "no bid in round 2");
  CHECK(reported.kpis == nlohmann::json{{"rounds", 2}});
  CHECK(find_run(store, tasks[13].run_id).reason == "run function returned status 'maybe'");

  const auto segv = find_run(store, tasks[5].run_id);
  const auto aborted = find_run(store, tasks[6].run_id);
  CHECK(segv.status == "crashed");
  CHECK(aborted.status == "crashed");
  if (kSignalsReachTheRunner) {
    CHECK(segv.reason == "killed by signal 11 (Segmentation fault)");
    CHECK(aborted.reason == "killed by signal 6 (Aborted)");
  }
  CHECK(find_run(store, tasks[8].run_id).reason == "exited with status 3 without an outcome");
  CHECK(find_run(store, tasks[10].run_id).reason == "exited without an outcome");

  const auto ok = find_run(store, tasks[0].run_id);
  CHECK(ok.status == "ok");
  CHECK(ok.kpis == fake_run(tasks[0]).kpis);
  CHECK(ok.event_log_sha256 == fake_run(tasks[0]).event_log_sha256);
  CHECK(ok.worker == default_worker_name());
  CHECK(ok.wall_seconds > 0.0);
}

TEST_CASE("one job and two jobs record identical content") {
  TempDir dir;
  ResultsStore one(dir.file("one.db"));
  ResultsStore two(dir.file("two.db"));
  const auto tasks = mixed_tasks();
  run_pool(tasks, fake_run, one, jobs(1));
  run_pool(tasks, fake_run, two, jobs(2));
  CHECK(one.runs().size() == tasks.size());
  CHECK(one.content_dump() == two.content_dump());
  CHECK(one.content_digest() == two.content_digest());
}

TEST_CASE("a resumed pool skips recorded runs and ends with the content of a single pass") {
  TempDir dir;
  const auto tasks = mixed_tasks();
  ResultsStore reference(dir.file("reference.db"));
  run_pool(tasks, fake_run, reference, jobs(1));

  ResultsStore store(dir.file("resumed.db"));
  const std::vector<RunTask> first_part(tasks.begin(), tasks.begin() + 7);
  const PoolReport first = run_pool(first_part, fake_run, store, jobs(2));
  CHECK(first.ok + first.failed + first.crashed == 7);
  const PoolReport second = run_pool(tasks, fake_run, store, jobs(2));
  CHECK(second.skipped == 7);
  CHECK(second.ok + second.failed + second.crashed == tasks.size() - 7);
  const PoolReport third = run_pool(tasks, fake_run, store, jobs(2));
  CHECK(third.skipped == tasks.size());
  CHECK(store.content_dump() == reference.content_dump());
}

TEST_CASE("a pool killed with SIGKILL mid-study resumes to the content of an uninterrupted run") {
  TempDir dir;
  auto tasks = make_tasks(24);
  for (auto& task : tasks)
    task.payload["sleep_ms"] = 25;
  ResultsStore reference(dir.file("reference.db"));
  run_pool(tasks, fake_run, reference, jobs(2));

  const auto path = dir.file("killed.db");
  { ResultsStore create(path); }
  const pid_t pid = start_pool_process(tasks, path, 2);
  wait_for_recorded_runs(path, 5);
  REQUIRE(kill(pid, SIGKILL) == 0);
  const int status = wait_status(pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  ResultsStore store(path);
  const auto recorded = store.runs();
  REQUIRE(recorded.size() >= 5);
  REQUIRE(recorded.size() < tasks.size());
  for (const auto& run : recorded) {
    // Every committed run is whole: its timing row went in with it.
    CHECK(run.status == "ok");
    CHECK_FALSE(run.worker.empty());
  }
  const PoolReport report = run_pool(tasks, fake_run, store, jobs(2));
  CHECK(report.skipped == recorded.size());
  CHECK(report.ok == tasks.size() - recorded.size());
  CHECK(store.content_dump() == reference.content_dump());
}

TEST_CASE("SIGINT stops the pool without recording the interrupted runs") {
  TempDir dir;
  auto tasks = make_tasks(30);
  for (auto& task : tasks)
    task.payload["sleep_ms"] = 40;
  ResultsStore reference(dir.file("reference.db"));
  run_pool(tasks, fake_run, reference, jobs(2));

  const auto path = dir.file("interrupted.db");
  { ResultsStore create(path); }
  const pid_t pid = start_pool_process(tasks, path, 2);
  wait_for_recorded_runs(path, 3);
  REQUIRE(kill(pid, SIGINT) == 0);
  const int status = wait_status(pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);

  ResultsStore store(path);
  const auto recorded = store.runs();
  CHECK(recorded.size() < tasks.size());
  for (const auto& run : recorded)
    CHECK(run.status == "ok");
  const PoolReport report = run_pool(tasks, fake_run, store, jobs(2));
  CHECK(report.skipped == recorded.size());
  CHECK(store.content_dump() == reference.content_dump());
}

TEST_CASE("a task list with a duplicate run_id or no jobs is refused before anything runs") {
  TempDir dir;
  ResultsStore store(dir.file("results.db"));
  auto tasks = make_tasks(3);
  REQUIRE_THROWS_AS(run_pool(tasks, fake_run, store, jobs(0)), std::invalid_argument);
  tasks[2].run_id = tasks[0].run_id;
  REQUIRE_THROWS_AS(run_pool(tasks, fake_run, store, jobs(1)), std::invalid_argument);
  CHECK(store.runs().empty());
}

TEST_CASE("the worker name given in the options is recorded in run_timing") {
  TempDir dir;
  ResultsStore store(dir.file("results.db"));
  PoolOptions options;
  options.worker_name = "node17";
  run_pool(make_tasks(2), fake_run, store, options);
  for (const auto& run : store.runs())
    CHECK(run.worker == "node17");
}

TEST_CASE("run_in_child isolates a crashing run from the caller") {
  RunTask task = make_tasks(1)[0];
  task.payload["mode"] = "abort";
  const RunOutcome outcome = run_in_child(task, fake_run);
  CHECK(outcome.status == "crashed");
  if (kSignalsReachTheRunner) CHECK(outcome.reason == "killed by signal 6 (Aborted)");
  task.payload["mode"] = "ok";
  CHECK(run_in_child(task, fake_run).kpis == fake_run(task).kpis);
}

TEST_CASE("signals are described the same way in every locale") {
  CHECK(describe_signal(SIGSEGV) == "killed by signal 11 (Segmentation fault)");
  CHECK(describe_signal(SIGKILL) == "killed by signal 9 (Killed)");
  CHECK(describe_signal(SIGVTALRM) == "killed by signal 26 (Virtual timer expired)");
  CHECK(describe_signal(SIGRTMIN + 1) ==
        "killed by signal " + std::to_string(SIGRTMIN + 1) + " (real-time signal SIGRTMIN+1)");
  CHECK(describe_signal(0) == "killed by signal 0");
}

TEST_CASE("a run task survives the JSON round trip, full 64-bit seed included") {
  RunTask task;
  task.run_id = "p001-r02";
  task.point = 1;
  task.replication = 2;
  task.seed = 0xffffffffffffffffULL;
  task.payload = {{"scenario", {{"calls", nlohmann::json::array()}}}};
  const auto back = nlohmann::json::parse(nlohmann::json(task).dump()).get<RunTask>();
  CHECK(back.run_id == task.run_id);
  CHECK(back.point == 1);
  CHECK(back.replication == 2);
  CHECK(back.seed == task.seed);
  CHECK(back.payload == task.payload);
  const auto negative =
      nlohmann::json::parse(R"({"run_id":"x","point":0,"replication":0,"seed":-1})");
  CHECK_THROWS(negative.get<RunTask>());
}

TEST_CASE("a run task's point and replication must be integers that fit, never wrapped") {
  for (const char* line : {R"({"run_id":"x","point":1e300,"replication":0,"seed":1})",
                           R"({"run_id":"x","point":0.5,"replication":0,"seed":1})",
                           R"({"run_id":"x","point":0,"replication":4294967296,"seed":1})",
                           R"({"run_id":"x","point":0,"replication":-1,"seed":1})",
                           R"({"run_id":"x","point":-3,"replication":0,"seed":1})"}) {
    INFO(line);
    CHECK_THROWS_AS(nlohmann::json::parse(line).get<RunTask>(), WorkerTaskError);
  }
  const auto fits =
      nlohmann::json::parse(R"({"run_id":"x","point":2147483647,"replication":0,"seed":1})");
  CHECK(fits.get<RunTask>().point == 2147483647);
}

TEST_CASE("serve_worker answers each task line with one result line, in order") {
  auto tasks = make_tasks(4);
  tasks[1].payload["mode"] = "throw";
  std::stringstream in;
  for (const auto& task : tasks)
    in << nlohmann::json(task).dump() << "\n\n";
  std::stringstream out;
  REQUIRE(serve_worker(in, out, fake_run) == 0);
  std::string line;
  std::size_t index = 0;
  while (std::getline(out, line)) {
    REQUIRE(index < tasks.size());
    const auto result = nlohmann::json::parse(line).get<WorkerResult>();
    CHECK(result.run_id == tasks[index].run_id);
    if (index == 1) {
      CHECK(result.outcome.status == "failed");
    } else {
      CHECK(result.outcome.kpis == fake_run(tasks[index]).kpis);
    }
    ++index;
  }
  CHECK(index == tasks.size());
}

TEST_CASE("serve_worker stops with status 2 on a line that is not a task") {
  std::stringstream in("{\"run_id\": 3}\n");
  std::stringstream out;
  CHECK(serve_worker(in, out, fake_run) == 2);
  CHECK(out.str().empty());
}

TEST_CASE("a worker process serves tasks over pipes as tenderlab-mpi drives it") {
  int to_worker[2];
  int from_worker[2];
  REQUIRE(pipe(to_worker) == 0);
  REQUIRE(pipe(from_worker) == 0);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(to_worker[0], STDIN_FILENO);
    dup2(from_worker[1], STDOUT_FILENO);
    for (int fd : {to_worker[0], to_worker[1], from_worker[0], from_worker[1]})
      close(fd);
    execl(TENDERLAB_FAKE_WORKER, TENDERLAB_FAKE_WORKER, "worker", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(to_worker[0]);
  close(from_worker[1]);

  auto tasks = make_tasks(5);
  tasks[3].payload["mode"] = "segv";
  std::string input;
  for (const auto& task : tasks)
    input += nlohmann::json(task).dump() + "\n";
  REQUIRE(write(to_worker[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
  close(to_worker[1]);
  std::string output;
  char buffer[4096];
  for (ssize_t n; (n = read(from_worker[0], buffer, sizeof buffer)) > 0;) {
    output.append(buffer, static_cast<std::size_t>(n));
  }
  close(from_worker[0]);
  const int status = wait_status(pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  std::istringstream lines(output);
  std::string line;
  std::size_t index = 0;
  while (std::getline(lines, line)) {
    REQUIRE(index < tasks.size());
    const auto result = nlohmann::json::parse(line).get<WorkerResult>();
    CHECK(result.run_id == tasks[index].run_id);
    if (index == 3) {
      CHECK(result.outcome.status == "crashed");
    } else {
      CHECK(result.outcome.status == "ok");
      CHECK(result.outcome.kpis == fake_run(tasks[index]).kpis);
    }
    CHECK(result.wall_seconds > 0.0);
    ++index;
  }
  CHECK(index == tasks.size());
}

namespace {

// The problem parse_worker_task reports for `line`: "POINTER: expected ..., found ...".
std::string task_problem(const std::string& line) {
  try {
    parse_worker_task(line, "task");
  } catch (const WorkerTaskError& error) {
    REQUIRE_FALSE(error.problems().empty());
    const tenderlab::InputProblem& problem = error.problems().front();
    CHECK(problem.file == "task");
    return problem.pointer + ": expected " + problem.expected + ", found " + problem.found;
  }
  FAIL("accepted: " << line);
  return {};
}

}  // namespace

TEST_CASE("a worker task's numbers must be integers in range: no wrap-around, no overflow") {
  const std::string rest = R"(,"run_id":"p00000-r000","seed":7})";
  // A double far outside the range of int was converted with undefined behaviour.
  CHECK(task_problem(R"({"point":1e300,"replication":0)" + rest) ==
        "/point: expected an integer in [0, 2147483647], found 1e+300");
  // 2^32 became replication 0.
  CHECK(task_problem(R"({"point":0,"replication":4294967296)" + rest) ==
        "/replication: expected an integer in [0, 2147483647], found 4294967296");
  CHECK(task_problem(R"({"point":-1,"replication":0)" + rest).rfind("/point: expected", 0) == 0);
  CHECK(task_problem(R"({"point":0,"replication":-3)" + rest).rfind("/replication: expected", 0) ==
        0);
  CHECK(task_problem(R"({"point":0.5,"replication":0)" + rest).rfind("/point: expected", 0) == 0);
  const std::string start = R"({"run_id":"r","point":0,"replication":0,"seed":)";
  CHECK(task_problem(start + "-1}") ==
        "/seed: expected an integer in [0, 18446744073709551615], found -1");
  CHECK(task_problem(start + "1.5}").rfind("/seed: expected", 0) == 0);
  CHECK(task_problem(start + "18446744073709551616}").rfind("/seed: expected", 0) == 0);
  CHECK(task_problem(start + "\"7\"}").rfind("/seed: expected", 0) == 0);
  // A number beyond the range of a double is a parse problem, not an escaping library exception.
  CHECK(
      task_problem(start + "1e400}").find("expected a JSON document whose numbers fit a double") !=
      std::string::npos);
  const RunTask largest = parse_worker_task(
      R"({"run_id":"r","point":2147483647,"replication":2147483647,"seed":18446744073709551615})");
  CHECK(largest.point == 2147483647);
  CHECK(largest.replication == 2147483647);
  CHECK(largest.seed == 18446744073709551615ULL);
  CHECK(largest.payload.is_null());
}

TEST_CASE("a worker task's run id is a plain name, and unknown or missing fields are refused") {
  const std::string rest = R"(,"point":0,"replication":0,"seed":1})";
  for (const char* id : {"\"../p1\"", "\"a/b\"", "\"\"", "\".hidden\"", "\"-r1\"", "\"p 1\"", "7"})
    CHECK(task_problem(std::string(R"({"run_id":)") + id + rest).rfind("/run_id: expected", 0) ==
          0);
  CHECK(task_problem(R"({"run_id":")" + std::string(129, 'a') + "\"" + rest)
            .rfind("/run_id: expected", 0) == 0);
  CHECK(task_problem(R"({"run_id":"p1","point":0,"replication":0,"seed":1,"extra":1})") ==
        "/extra: expected one of the known keys (payload, point, replication, run_id, seed), "
        "found the unknown key \"extra\"");
  CHECK(task_problem(R"({"point":0,"replication":0,"seed":1})") ==
        "/run_id: expected a run id of 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-', "
        "starting with a letter or digit, found nothing (missing)");
  CHECK(task_problem("[1,2]") == ": expected an object, found an array");
  CHECK(task_problem("{\"run_id\":").rfind(": expected a valid UTF-8 JSON document", 0) == 0);
  CHECK(parse_worker_task(R"({"run_id":"a.b_c-9","point":3,"replication":1,"seed":2})").run_id ==
        "a.b_c-9");
}

TEST_CASE("a task list is a task source that finds tasks by run id and refuses duplicates") {
  const TaskList list(make_tasks(7));
  REQUIRE(list.size() == 7);
  for (std::size_t i = 0; i < list.size(); ++i)
    CHECK(list.index_of(list.run_id(i)) == i);
  CHECK_FALSE(list.index_of("nowhere").has_value());
  auto tasks = make_tasks(3);
  tasks[1].run_id = tasks[2].run_id;
  CHECK_THROWS_AS(TaskList(tasks), std::invalid_argument);
}
