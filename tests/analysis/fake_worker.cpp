// Stands in for `tenderlab worker` in the runner tests, with the fake run function instead of a
// simulation:
//   fake_worker [worker [--events-dir DIR]]  serve runs over stdin/stdout (JSON Lines); the fake
//                                          runs keep no event logs, so DIR is not used
//   fake_worker pool TASKS.jsonl DB JOBS   run the same tasks locally with run_pool
//   fake_worker digest DB                  print the content digest of a results database
//   fake_worker tasks COUNT                print COUNT fake tasks as JSON Lines
//   fake_worker workers DB                 print how many distinct workers recorded runs
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "runner_test_support.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"

namespace {

using namespace tenderlab::analysis;

int usage() {
  std::cerr << "usage: fake_worker [worker [--events-dir DIR]] | pool TASKS DB JOBS | digest DB | "
               "workers DB | tasks COUNT\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    const bool worker =
        args.empty() || (args[0] == "worker" &&
                         (args.size() == 1 || (args.size() == 3 && args[1] == "--events-dir")));
    if (worker) {
      return serve_worker(std::cin, std::cout, testing::fake_run);
    }
    if (args[0] == "pool" && args.size() == 4) {
      std::ifstream in(args[1]);
      std::vector<RunTask> tasks;
      std::string line;
      while (std::getline(in, line)) {
        if (!line.empty()) tasks.push_back(nlohmann::json::parse(line).get<RunTask>());
      }
      ResultsStore store(args[2]);
      PoolOptions options;
      options.jobs = std::stoi(args[3]);
      const PoolReport report = run_pool(tasks, testing::fake_run, store, options);
      std::cerr << "fake_worker pool: " << report.ok << " ok, " << report.failed << " failed, "
                << report.crashed << " crashed, " << report.skipped << " skipped\n";
      return report.interrupted ? 130 : 0;
    }
    if (args[0] == "digest" && args.size() == 2) {
      ResultsStore store(args[1], ResultsStore::OpenMode::existing_only);
      std::cout << store.content_digest() << '\n';
      return 0;
    }
    if (args[0] == "workers" && args.size() == 2) {
      ResultsStore store(args[1], ResultsStore::OpenMode::existing_only);
      std::set<std::string> workers;
      for (const auto& run : store.runs())
        workers.insert(run.worker);
      std::cout << workers.size() << '\n';
      return 0;
    }
    if (args[0] == "tasks" && args.size() == 2) {
      auto tasks = testing::make_tasks(std::stoi(args[1]), 3);
      // A few runs that fail or crash, so that every status crosses the MPI path.
      if (tasks.size() > 4) tasks[4].payload["mode"] = "throw";
      if (tasks.size() > 7) tasks[7].payload["mode"] = "segv";
      if (tasks.size() > 9) tasks[9].payload["mode"] = "fail";
      for (const auto& task : tasks)
        std::cout << nlohmann::json(task).dump() << '\n';
      return 0;
    }
  } catch (const std::exception& error) {
    std::cerr << "fake_worker: " << error.what() << '\n';
    return 1;
  }
  return usage();
}
