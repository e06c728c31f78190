// What expanding a study into its runs costs the process that deals them out: every task is built
// once, in order, as `tenderlab study` and `tenderlab-mpi` build them, then dropped. Prints the
// time per task and the peak resident memory of the process, before and after.
//
//   study_expansion STUDY [REPLICATIONS] [--wire]
//
// REPLICATIONS replaces the study's own (the design's points x REPLICATIONS must stay within
// the limit on runs); --wire also writes each task as the JSON line tenderlab-mpi sends to a
// worker (payload with the base scenario), which is what rank 0 does per run.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "tenderlab/analysis/study.hpp"
#include "tenderlab/analysis/study_tasks.hpp"

namespace {

using namespace tenderlab::analysis;

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: study_expansion STUDY [REPLICATIONS] [--wire]\n");
    return 2;
  }
  const std::string file = argv[1];
  int replications = 0;
  bool wire = false;
  for (int i = 2; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--wire") {
      wire = true;
    } else {
      replications = std::stoi(argument);
    }
  }
  try {
    const long rss_start = peak_rss_kib();
    const auto start = std::chrono::steady_clock::now();
    auto study = std::make_shared<Study>(load_study(file));
    if (replications > 0) {
      if (study->points * static_cast<std::size_t>(replications) > max_study_runs) {
        std::fprintf(stderr, "%zu points x %d replications: more than %zu runs\n", study->points,
                     replications, max_study_runs);
        return 2;
      }
      study->replications = replications;
    }
    const long rss_loaded = peak_rss_kib();
    const StudyTaskSource tasks(study, wire);
    const long rss_design = peak_rss_kib();
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const RunTask task = tasks.task(i);
      bytes += wire ? nlohmann::json(task).dump().size() : task.run_id.size();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "%s: %zu points x %d replications = %zu runs%s\n"
        "  %.1f us per task (%.2f s in all), %.0f bytes per %s\n"
        "  peak RSS: %ld KiB at start, %ld KiB with the study loaded, %ld KiB with the design, "
        "%ld KiB after every task\n",
        file.c_str(), tasks.design().size(), study->replications, tasks.size(),
        wire ? ", each written as a worker line" : "",
        seconds * 1e6 / static_cast<double>(tasks.size()), seconds,
        static_cast<double>(bytes) / static_cast<double>(tasks.size()),
        wire ? "worker line" : "run id", rss_start, rss_loaded, rss_design, peak_rss_kib());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
  return 0;
}
