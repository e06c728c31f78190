// What the runner costs per run when the run itself costs nothing: fork, the outcome pipe, the
// wait, and one database transaction. Also each part alone: fork + pipe without the database,
// and database records without forking.
//
//   runner_overhead [RUNS [REPETITIONS]]      (defaults: 2000 runs, 5 repetitions)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"

namespace {

using namespace tenderlab::analysis;
using Clock = std::chrono::steady_clock;

RunOutcome trivial_run(const RunTask& task) {
  return {"ok", "", {{"seed", task.seed}, {"point", task.point}}, std::string(64, '0')};
}

std::vector<RunTask> make_tasks(int count) {
  std::vector<RunTask> tasks;
  for (int i = 0; i < count; ++i) {
    tasks.push_back({"run-" + std::to_string(100000 + i), i / 10, i % 10,
                     static_cast<std::uint64_t>(i) * 7919U, nlohmann::json::object()});
  }
  return tasks;
}

// A fresh database file per repetition, so that every repetition starts from the same state.
class ScratchDatabase {
 public:
  ScratchDatabase() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tenderlab-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  ~ScratchDatabase() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  std::string path() const { return (dir_ / "results.db").string(); }

 private:
  std::filesystem::path dir_;
};

struct Summary {
  double median = 0.0;
  double mean = 0.0;
  double min = 0.0;
  double max = 0.0;
};

Summary summarize(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  Summary summary;
  const std::size_t n = values.size();
  summary.median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
  summary.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  summary.min = values.front();
  summary.max = values.back();
  return summary;
}

// Milliseconds per run of `body` over `runs` runs, once per repetition.
void measure(const char* label, int runs, int repetitions, const std::function<double()>& body) {
  std::vector<double> per_run;
  for (int i = 0; i < repetitions; ++i)
    per_run.push_back(body() * 1000.0 / runs);
  const Summary s = summarize(per_run);
  std::printf("%-34s %8.3f %8.3f %8.3f %8.3f %10.0f\n", label, s.median, s.mean, s.min, s.max,
              1000.0 / s.median);
  std::fflush(stdout);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::stoi(argv[1]) : 2000;
  const int repetitions = argc > 2 ? std::stoi(argv[2]) : 5;
  const auto tasks = make_tasks(runs);
  std::printf("runner overhead: %d trivial runs, %d repetitions, %ld online CPUs\n", runs,
              repetitions, ::sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("%-34s %8s %8s %8s %8s %10s\n", "ms per run", "median", "mean", "min", "max",
              "runs/s");

  for (int jobs : {1, 2}) {
    const std::string label = "run_pool -j" + std::to_string(jobs) + " (fork+pipe+db)";
    measure(label.c_str(), runs, repetitions, [&] {
      ScratchDatabase scratch;
      ResultsStore store(scratch.path());
      PoolOptions options;
      options.jobs = jobs;
      options.worker_name = "bench";
      const PoolReport report = run_pool(tasks, trivial_run, store, options);
      if (report.ok != tasks.size()) throw std::runtime_error("a trivial run did not succeed");
      return report.wall_seconds;
    });
  }
  measure("run_in_child (fork+pipe, no db)", runs, repetitions, [&] {
    const auto start = Clock::now();
    for (const auto& task : tasks) {
      if (run_in_child(task, trivial_run).status != "ok") throw std::runtime_error("run failed");
    }
    return seconds_since(start);
  });
  measure("ResultsStore::record (db only)", runs, repetitions, [&] {
    ScratchDatabase scratch;
    ResultsStore store(scratch.path());
    const auto start = Clock::now();
    for (const auto& task : tasks) {
      store.record(make_run_record(task, trivial_run(task), 0.001, "bench"));
    }
    return seconds_since(start);
  });
  return 0;
}
