// A fake run function and helpers shared by the runner tests and the fake_worker program. The
// fake run is pure computation from the task, so any two executions of a task list must record
// the same content; its payload can ask it to fail, crash or take its time.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tenderlab/analysis/run_pool.hpp"

namespace tenderlab::analysis::testing {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

// A crash on purpose should not leave a core file behind.
inline void no_core_dump() {
  rlimit limit{0, 0};
  setrlimit(RLIMIT_CORE, &limit);
}

/// payload.mode: "ok" (default), "fail" (returns failed), "throw", "segv", "abort", "exit3"
/// (exit status 3), "silent" (exit 0 without an outcome), "bad_status"; payload.sleep_ms delays
/// the run so that completion order differs from submission order.
inline RunOutcome fake_run(const RunTask& task) {
  const nlohmann::json& payload = task.payload;
  const std::string mode = payload.is_object() ? payload.value("mode", "ok") : "ok";
  const int sleep_ms = payload.is_object() ? payload.value("sleep_ms", 0) : 0;
  if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  if (mode == "throw") throw std::runtime_error("fake failure in " + task.run_id);
  if (mode == "segv") {
    no_core_dump();
    std::raise(SIGSEGV);
  }
  if (mode == "abort") {
    no_core_dump();
    std::abort();
  }
  if (mode == "exit3") _exit(3);
  if (mode == "silent") _exit(0);
  if (mode == "bad_status") return {"maybe", "", nlohmann::json::object(), ""};
  if (mode == "fail") return {"failed", "no bid in round 2", {{"rounds", 2}}, ""};

  std::uint64_t state = task.seed;
  const std::uint64_t first = splitmix64(state);
  RunOutcome outcome;
  outcome.status = "ok";
  outcome.kpis = {{"draw", static_cast<double>(first >> 11U) * 0x1.0p-53},
                  {"bidders", static_cast<int>(first % 5)},
                  {"awarded", (first & 1U) == 1U},
                  {"point_times_rep", task.point * task.replication},
                  {"label", "p" + std::to_string(task.point)}};
  static constexpr char kHex[] = "0123456789abcdef";
  for (int word = 0; word < 4; ++word) {
    std::uint64_t bits = splitmix64(state);
    for (int nibble = 0; nibble < 16; ++nibble, bits >>= 4U) {
      outcome.event_log_sha256.push_back(kHex[bits & 0xfU]);
    }
  }
  return outcome;
}

/// `count` tasks over points of 3 replications, with sleeps that make later tasks finish first
/// under two jobs.
inline std::vector<RunTask> make_tasks(int count, int sleep_scale_ms = 0) {
  std::vector<RunTask> tasks;
  for (int i = 0; i < count; ++i) {
    RunTask task;
    task.point = i / 3;
    task.replication = i % 3;
    char id[32];
    std::snprintf(id, sizeof id, "p%03d-r%02d", task.point, task.replication);
    task.run_id = id;
    task.seed = 1000003ULL * static_cast<std::uint64_t>(i + 1);
    task.payload = {{"sleep_ms", sleep_scale_ms * ((count - i) % 4)}};
    tasks.push_back(task);
  }
  return tasks;
}

/// A fresh directory under the system temporary directory, removed with its content.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tenderlab-runner-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace tenderlab::analysis::testing
