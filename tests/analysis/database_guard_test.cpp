// What keeps a results database to one study and one writer: the ownership check every command
// that records a study's runs goes through, the writer lock, and the retry of crashed runs.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "runner_test_support.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"

using namespace tenderlab::analysis;
using testing::fake_run;
using testing::make_tasks;
using testing::TempDir;

namespace {

using Meta = std::map<std::string, std::string>;

const Meta kStudyA = {{"name", "h"}, {"study_sha256", std::string(64, 'a')}, {"seed", "7"}};
const Meta kStudyB = {{"name", "h"}, {"study_sha256", std::string(64, 'b')}, {"seed", "8"}};
const std::vector<PointRecord> kPoints = {{0, {{"equity", 0.3}}}, {1, {{"equity", 0.5}}}};

RunRecord ok_run(const std::string& id) {
  RunRecord run;
  run.run_id = id;
  run.status = "ok";
  run.kpis = {{"awarded", true}};
  return run;
}

ResultsStore open_writer(const std::string& path) {
  return ResultsStore(path, ResultsStore::OpenMode::create_if_missing,
                      ResultsStore::Access::exclusive_writer);
}

// A process that takes the writer lock of `path` and holds it until killed. With
// `with_children`, it first forks a child that exits at once (closing its copies of the
// descriptors, as the runner's children do when a run ends) and then one that lives on; the pid of
// the latter is returned through `lingering_child`.
pid_t start_lock_holder(const std::string& path, bool with_children = false,
                        pid_t* lingering_child = nullptr) {
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    try {
      ResultsStore store = open_writer(path);
      pid_t lingering = 0;
      if (with_children) {
        const pid_t brief = ::fork();
        if (brief == 0) _exit(0);
        int status = 0;
        ::waitpid(brief, &status, 0);
        lingering = ::fork();
        if (lingering == 0) {
          for (;;)
            ::pause();
        }
      }
      [[maybe_unused]] const ssize_t n = ::write(ready[1], &lingering, sizeof lingering);
      for (;;)
        ::pause();
    } catch (...) {
      _exit(1);
    }
  }
  REQUIRE(pid > 0);
  ::close(ready[1]);
  pid_t lingering = 0;
  const ssize_t n = ::read(ready[0], &lingering, sizeof lingering);
  ::close(ready[0]);
  REQUIRE(n == static_cast<ssize_t>(sizeof lingering));
  if (lingering_child != nullptr) *lingering_child = lingering;
  return pid;
}

void kill_and_wait(pid_t pid) {
  REQUIRE(::kill(pid, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
}

}  // namespace

TEST_CASE("a database of another study is refused, every differing fact named, nothing changed") {
  TempDir dir;
  const auto path = dir.file("own.sqlite");
  ResultsStore store(path);
  store.claim_for_study("hA.json", kStudyA, kPoints);
  store.record(ok_run("p00000-r000"));
  const std::string before = store.content_dump();

  REQUIRE_THROWS_AS(store.claim_for_study("hB.json", kStudyB, kPoints), DatabaseRefusedError);
  REQUIRE_THROWS_WITH(
      store.claim_for_study("hB.json", kStudyB, kPoints),
      Catch::Contains(path) && Catch::Contains("seed is \"7\" in the database, \"8\" in hB.json") &&
          Catch::Contains("study_sha256 is \"" + std::string(64, 'a') + "\" in the database, \"" +
                          std::string(64, 'b') + "\" in hB.json") &&
          !Catch::Contains("name is"));
  REQUIRE_THROWS_AS(store.check_study("hB.json", kStudyB), DatabaseRefusedError);
  CHECK(store.content_dump() == before);
  CHECK(store.get_meta("seed") == std::optional<std::string>("7"));
}

TEST_CASE("the same study claims its database again, and facts it lacked are added") {
  TempDir dir;
  ResultsStore store(dir.file("own.sqlite"));
  Meta partial = kStudyA;
  partial.erase("seed");
  store.claim_for_study("hA.json", partial, kPoints);
  store.record(ok_run("p00000-r000"));
  CHECK_NOTHROW(store.claim_for_study("hA.json", kStudyA, kPoints));
  CHECK_NOTHROW(store.check_study("hA.json", kStudyA));
  CHECK(store.get_meta("seed") == std::optional<std::string>("7"));
  CHECK(store.points().size() == 2);
}

TEST_CASE("runs recorded without a study are not adopted by one") {
  TempDir dir;
  ResultsStore store(dir.file("tasks.sqlite"));
  store.record(ok_run("p00000-r000"));
  REQUIRE_THROWS_WITH(store.claim_for_study("hA.json", kStudyA, kPoints),
                      Catch::Contains("1 runs that no study file claims"));
  CHECK_FALSE(store.get_meta("study_sha256").has_value());
}

TEST_CASE("a second writer of a database is refused at once with the holder's pid") {
  TempDir dir;
  const auto path = dir.file("results.sqlite");
  const pid_t holder = start_lock_holder(path);
  try {
    open_writer(path);
    FAIL("a second writer opened the database");
  } catch (const DatabaseInUseError& error) {
    CHECK(error.holder() == holder);
    CHECK_THAT(error.what(),
               Catch::Contains(path + ": in use by process " + std::to_string(holder)));
  }
  // Readers are not writers: they open the database while it is being written.
  CHECK_NOTHROW(ResultsStore(path, ResultsStore::OpenMode::existing_only));
  kill_and_wait(holder);
}

TEST_CASE("a writer killed with SIGKILL leaves no lock that blocks the next one") {
  TempDir dir;
  const auto path = dir.file("results.sqlite");
  kill_and_wait(start_lock_holder(path));
  // The killed holder could not remove its lock file; the lock itself died with it.
  CHECK(std::filesystem::exists(WriterLock::lock_path(path)));
  ResultsStore store = open_writer(path);
  CHECK(store.runs().empty());
}

TEST_CASE("forked children neither keep the writer lock alive nor release it") {
  TempDir dir;
  const auto path = dir.file("results.sqlite");
  pid_t lingering = 0;
  const pid_t holder = start_lock_holder(path, true, &lingering);
  REQUIRE(lingering > 0);
  // One child has exited and closed its copy of the lock file: the holder still holds it.
  REQUIRE_THROWS_AS(open_writer(path), DatabaseInUseError);
  kill_and_wait(holder);
  // Its other child still runs, with the lock file open: the lock went with the holder anyway.
  REQUIRE(::kill(lingering, 0) == 0);
  CHECK_NOTHROW(open_writer(path));
  ::kill(lingering, SIGKILL);
}

TEST_CASE("one process cannot write a database through two stores") {
  TempDir dir;
  const auto path = dir.file("results.sqlite");
  ResultsStore first = open_writer(path);
  REQUIRE_THROWS_WITH(open_writer(path), Catch::Contains("in use by this process"));
  // The refused attempt must not have dropped the first store's lock.
  std::fflush(nullptr);
  const pid_t probe = ::fork();
  if (probe == 0) {
    try {
      open_writer(path);
      _exit(0);
    } catch (const DatabaseInUseError&) {
      _exit(3);
    } catch (...) {
      _exit(4);
    }
  }
  int status = 0;
  REQUIRE(::waitpid(probe, &status, 0) == probe);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
}

TEST_CASE("a writer lets go of the lock and its file when it closes the database") {
  TempDir dir;
  const auto path = dir.file("results.sqlite");
  { ResultsStore first = open_writer(path); }
  CHECK_FALSE(std::filesystem::exists(WriterLock::lock_path(path)));
  CHECK_NOTHROW(open_writer(path));
}

TEST_CASE("a database is created whole, and what a killed creation left is cleared away") {
  TempDir dir;
  const auto path = dir.file("results.db");
  // What a writer killed while creating the file leaves: its temporary file, never `path`.
  std::ofstream(path + ".creating-999999") << "half";
  std::ofstream(path + ".creating-999999-journal") << "half";
  {
    ResultsStore store(path, ResultsStore::OpenMode::create_if_missing,
                       ResultsStore::Access::exclusive_writer);
  }
  CHECK(ResultsStore(path, ResultsStore::OpenMode::existing_only).runs().empty());
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("")))
    CHECK(entry.path().filename().string().find(".creating-") == std::string::npos);
}

TEST_CASE("status counts, and forgetting crashed runs removes them from every table") {
  TempDir dir;
  ResultsStore store(dir.file("results.sqlite"));
  auto tasks = make_tasks(9);
  tasks[2].payload["mode"] = "segv";
  tasks[4].payload["mode"] = "fail";
  PoolOptions options;
  options.jobs = 2;
  run_pool(tasks, fake_run, store, options);
  StatusCounts counts = store.status_counts();
  CHECK(counts.ok == 7);
  CHECK(counts.failed == 1);
  CHECK(counts.crashed == 1);

  CHECK(store.forget_runs({"crashed"}) == 1);
  counts = store.status_counts();
  CHECK(counts.crashed == 0);
  CHECK(counts.failed == 1);
  CHECK_FALSE(store.has_run(tasks[2].run_id));
  CHECK(store.forget_runs({"crashed"}) == 0);
}

TEST_CASE("a crashed run run again leaves the content of a pass in which it never crashed") {
  TempDir dir;
  const auto tasks = make_tasks(12);
  ResultsStore reference(dir.file("reference.sqlite"));
  PoolOptions options;
  options.jobs = 2;
  run_pool(tasks, fake_run, reference, options);

  // The first pass loses one run to a crash from outside (a kill, the OOM killer)...
  auto first_pass = tasks;
  first_pass[5].payload["mode"] = "segv";
  ResultsStore store(dir.file("retried.sqlite"));
  run_pool(first_pass, fake_run, store, options);
  REQUIRE(store.status_counts().crashed == 1);
  // ...and the resumed pass runs it again, as the commands do.
  CHECK(store.forget_runs({"crashed"}) == 1);
  const PoolReport report = run_pool(tasks, fake_run, store, options);
  CHECK(report.ok == 1);
  CHECK(report.skipped == tasks.size() - 1);
  CHECK(store.content_digest() == reference.content_digest());
}
