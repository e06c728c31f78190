// tenderlab-mpi: runs a study across the ranks of an MPI job (docs/cluster.md).
//
// libsimgrid exports MPI symbols of its own, so this program links Open MPI and not SimGrid, and
// every rank hands its runs to one local `tenderlab worker` process (SimGrid, no MPI) over pipes
// in JSON Lines. Rank 0 owns the results database: it skips runs already recorded, deals out the
// others one at a time to whichever rank is free (itself included) and records each outcome as
// it arrives, so the database ends up with the same content as a one-machine run. Each task is
// built from the study's design when it is dealt, and dropped once its outcome is recorded.
#include <mpi.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "tenderlab/analysis/child_process.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"
#include "tenderlab/analysis/study_tasks.hpp"
#include "tenderlab/engine/agent_kinds.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/version.hpp"

namespace {

using tenderlab::analysis::ResultsStore;
using tenderlab::analysis::RunTask;
using tenderlab::analysis::TaskSource;
using tenderlab::analysis::WorkerResult;

// Message tags between rank 0 and the others. Every task message gets exactly one result
// message back, and every rank but 0 gets at most one configuration message (before its first
// task) and exactly one stop message, so no message is left unreceived at MPI_Finalize.
constexpr int kTaskTag = 1;
constexpr int kStopTag = 2;
constexpr int kResultTag = 3;
constexpr int kConfigTag = 4;

struct Options {
  std::string study_file;
  std::string tasks_file;
  std::string database;
  std::string worker;
  bool retry_failed = false;
  bool quiet = false;  ///< no progress lines
  tenderlab::analysis::ProgressLines progress;
};

// Exit statuses, as those of `tenderlab` (docs/cli.md).
constexpr int kRunFailed = 1;
constexpr int kBadInput = 2;
constexpr int kInterrupted = 130;

// Set by SIGINT or SIGTERM on rank 0 (Ctrl-C reaches it through mpirun, scancel sends SIGTERM):
// the coordinator stops handing out runs, keeps what is recorded and ends the job with 130.
volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) {
  g_interrupted = 1;
}

class DriverError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void write_all(int fd, const std::string& data) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw DriverError(std::string("cannot write to the worker: ") + std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
}

// The local `tenderlab worker` process of this rank: one task line in, one result line out.
class LocalWorker {
 public:
  explicit LocalWorker(std::string program) : program_(std::move(program)) {}

  /// The folder where the worker's runs may keep event logs (`worker --events-dir DIR`); to be
  /// set before the first task starts the worker.
  void set_events_dir(std::string events_dir) { events_dir_ = std::move(events_dir); }

  void send(const std::string& task_line) {
    if (!process_.running()) start();
    write_all(process_.input(), task_line + "\n");
  }

  /// A complete result line if one arrives within `timeout_ms` (-1: wait as long as it takes).
  std::optional<std::string> receive(int timeout_ms) {
    for (;;) {
      if (auto line = take_line()) return line;
      pollfd fd{process_.output(), POLLIN, 0};
      const int ready = ::poll(&fd, 1, timeout_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return std::nullopt;
      std::array<char, 65536> buffer{};
      const ssize_t n = ::read(process_.output(), buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw DriverError("worker " + program_ + " " + exit_description());
      buffer_.append(buffer.data(), static_cast<std::size_t>(n));
    }
  }

  /// Closes the worker's input, which ends it, and waits for it.
  void stop() {
    if (!process_.running()) return;
    process_.close_input();
    process_.wait();
  }

 private:
  void start() {
    std::vector<std::string> argv{program_, "worker"};
    if (!events_dir_.empty()) argv.insert(argv.end(), {"--events-dir", events_dir_});
    tenderlab::analysis::ChildOptions options;
    options.with_input = true;
    // If this rank dies (mpirun killing the job), its worker goes too.
    options.parent_death_signal = SIGTERM;
    try {
      process_ = tenderlab::analysis::ChildProcess::exec(argv, options);
    } catch (const std::system_error& error) {
      throw DriverError("cannot start worker " + program_ + ": " + error.code().message());
    }
  }

  std::optional<std::string> take_line() {
    const auto end = buffer_.find('\n');
    if (end == std::string::npos) return std::nullopt;
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, end + 1);
    return line;
  }

  std::string exit_description() {
    const int status = process_.wait();
    if (WIFSIGNALED(status))
      return "died: " + tenderlab::analysis::describe_signal(WTERMSIG(status));
    return "exited with status " + std::to_string(WEXITSTATUS(status)) + " in the middle of a run";
  }

  std::string program_;
  std::string events_dir_;
  tenderlab::analysis::ChildProcess process_;  ///< started by the first task
  std::string buffer_;
};

std::string default_worker_path() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "tenderlab";
  return (self.parent_path() / "tenderlab").string();
}

/// Registers the agent kinds the worker program knows (`WORKER kinds --json`): this program does
/// not link the agents, so it checks a study's scenarios against the kinds its workers run.
void learn_worker_kinds(const std::string& worker) {
  tenderlab::analysis::ChildProcess process;
  try {
    process = tenderlab::analysis::ChildProcess::exec({worker, "kinds", "--json"});
  } catch (const std::system_error& error) {
    throw DriverError("cannot start worker " + worker + ": " + error.code().message());
  }
  std::string text;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = ::read(process.output(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer.data(), static_cast<std::size_t>(n));
  }
  const int status = process.wait();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw DriverError("`" + worker + " kinds --json` failed: cannot learn the agent kinds");
  const std::string origin = "the output of `" + worker + " kinds --json`";
  try {
    tenderlab::register_agent_kinds_json(nlohmann::json::parse(text), origin);
  } catch (const nlohmann::json::exception& error) {
    throw DriverError(origin + ": not JSON: " + error.what());
  }
}

void send_string(const std::string& text, int destination, int tag) {
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, destination, tag, MPI_COMM_WORLD);
}

std::string receive_string(int source, int tag, MPI_Status& status) {
  MPI_Probe(source, tag, MPI_COMM_WORLD, &status);
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  std::string text(static_cast<std::size_t>(count), '\0');
  MPI_Recv(text.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  return text;
}

void stop_followers(int size) {
  for (int rank = 1; rank < size; ++rank)
    send_string("", rank, kStopTag);
}

// Every rank's host name, gathered on rank 0 to name the worker of each run in run_timing.
std::vector<std::string> gather_host_names(int rank, int size) {
  std::array<char, MPI_MAX_PROCESSOR_NAME> name{};
  int length = 0;
  MPI_Get_processor_name(name.data(), &length);
  std::vector<char> all(rank == 0 ? name.size() * static_cast<std::size_t>(size) : 0);
  MPI_Gather(name.data(), static_cast<int>(name.size()), MPI_CHAR, all.data(),
             static_cast<int>(name.size()), MPI_CHAR, 0, MPI_COMM_WORLD);
  std::vector<std::string> names;
  for (int r = 0; rank == 0 && r < size; ++r) {
    const char* begin = all.data() + name.size() * static_cast<std::size_t>(r);
    names.push_back(std::string(begin, strnlen(begin, name.size())) + "/rank" + std::to_string(r));
  }
  return names;
}

// Ranks other than 0: run what rank 0 sends until it says stop.
int run_follower(const Options& options) {
  LocalWorker worker(options.worker);
  for (;;) {
    MPI_Status status;
    const std::string message = receive_string(0, MPI_ANY_TAG, status);
    if (status.MPI_TAG == kStopTag) break;
    if (status.MPI_TAG == kConfigTag) {
      worker.set_events_dir(message);
      continue;
    }
    worker.send(message);
    send_string(*worker.receive(-1), 0, kResultTag);
  }
  worker.stop();
  return 0;
}

struct Coordinator {
  std::unique_ptr<TaskSource> tasks;
  std::unique_ptr<ResultsStore> store;
  std::string events_dir;  ///< where runs may keep their event logs
  std::vector<std::string> host_names;
  std::size_t ok = 0;
  std::size_t failed = 0;
  std::size_t crashed = 0;
  std::size_t retried_crashed = 0;
  std::size_t retried_failed = 0;

  void record(int rank, const RunTask& task, const std::string& line) {
    WorkerResult result;
    try {
      result = nlohmann::json::parse(line).get<WorkerResult>();
    } catch (const std::exception& error) {
      throw DriverError("rank " + std::to_string(rank) + " sent an unreadable result for " +
                        task.run_id + ": " + error.what());
    }
    if (result.run_id != task.run_id) {
      throw DriverError("rank " + std::to_string(rank) + " answered run " + result.run_id +
                        " when running " + task.run_id);
    }
    store->record(tenderlab::analysis::make_run_record(task, result.outcome, result.wall_seconds,
                                                       host_names[static_cast<std::size_t>(rank)]));
    if (result.outcome.status == "ok") {
      ++ok;
    } else if (result.outcome.status == "failed") {
      ++failed;
    } else {
      ++crashed;
    }
  }
};

// Rank 0 is the database's only writer, and holds its writer lock for the whole job: a second
// job, or a `tenderlab study`, on the same file stops at once instead of recording runs twice.
std::unique_ptr<ResultsStore> open_store(const std::string& database) {
  return std::make_unique<ResultsStore>(database, ResultsStore::OpenMode::create_if_missing,
                                        ResultsStore::Access::exclusive_writer);
}

// Opens the store and works out the task list; any error here stops every rank cleanly.
void prepare(const Options& options, Coordinator& coordinator) {
  std::string database = options.database;
  if (!options.tasks_file.empty()) {
    coordinator.tasks = std::make_unique<tenderlab::analysis::TaskList>(
        tenderlab::analysis::read_worker_task_file(options.tasks_file));
    coordinator.store = open_store(database);
    coordinator.events_dir = tenderlab::analysis::kept_events_dir(database);
  } else {
    learn_worker_kinds(options.worker);
    const auto setup = tenderlab::analysis::load_study_setup(options.study_file);
    if (database.empty()) database = setup.database_path;
    // Workers on other ranks have not read the study: each task carries the base scenario.
    auto tasks = tenderlab::analysis::load_study_tasks(options.study_file, database, true);
    coordinator.events_dir = tasks->study().events_dir;
    coordinator.store = open_store(database);
    // The same check as `tenderlab study`: a database of another study (or another version of
    // this one) is refused, never relabelled. The design points follow a few thousand per
    // transaction.
    coordinator.store->claim_for_study(options.study_file, setup.meta, {});
    tenderlab::analysis::record_study_points(*coordinator.store, tasks->study());
    coordinator.tasks = std::move(tasks);
  }
  // Run ids are distinct: TaskList refuses duplicates, a study's are distinct by construction.
  // As `tenderlab study`: crashed runs are run again, failed ones when asked.
  coordinator.retried_crashed = coordinator.store->forget_runs({"crashed"});
  if (options.retry_failed) coordinator.retried_failed = coordinator.store->forget_runs({"failed"});
}

int run_coordinator(const Options& options, int size, std::vector<std::string> host_names) {
  const auto start = std::chrono::steady_clock::now();
  Coordinator coordinator;
  coordinator.host_names = std::move(host_names);
  // One bit per task says whether it is recorded already; `next` walks over the rest.
  std::vector<bool> recorded;
  std::size_t next = 0;
  std::size_t skipped = 0;
  try {
    prepare(options, coordinator);
    recorded = tenderlab::analysis::recorded_tasks(*coordinator.tasks, *coordinator.store);
    skipped = static_cast<std::size_t>(std::count(recorded.begin(), recorded.end(), true));
  } catch (const tenderlab::analysis::DatabaseRefusedError& error) {
    std::cerr << "tenderlab-mpi: " << error.what() << '\n';
    stop_followers(size);
    return kBadInput;
  } catch (const tenderlab::InputError& error) {
    std::cerr << "tenderlab-mpi: " << error.what() << '\n';
    stop_followers(size);
    return kBadInput;
  } catch (const std::exception& error) {
    std::cerr << "tenderlab-mpi: " << error.what() << '\n';
    stop_followers(size);
    return kRunFailed;
  }
  for (int rank = 1; rank < size; ++rank)
    send_string(coordinator.events_dir, rank, kConfigTag);

  const auto next_pending = [&]() -> std::optional<std::size_t> {
    while (next < recorded.size() && recorded[next])
      ++next;
    if (next == recorded.size()) return std::nullopt;
    return next++;
  };
  std::optional<std::size_t> pending = next_pending();
  // Rank 0's stderr is the job's output file under a batch system: progress lines, not a bar.
  tenderlab::analysis::Progress progress(!options.quiet, coordinator.tasks->size() - skipped,
                                         options.progress);
  const auto show_progress = [&] {
    progress.update(coordinator.ok, coordinator.failed, coordinator.crashed);
  };
  // Builds the task, returns its line for the worker and keeps only its identity for recording.
  const auto take_task = [&](RunTask& identity) {
    RunTask task = coordinator.tasks->task(*pending);
    pending = next_pending();
    std::string line =
        nlohmann::json(task).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    task.payload = nlohmann::json();
    identity = std::move(task);
    return line;
  };
  // in_flight[r]: the run rank r is running, if any; rank 0's own runs go to its local worker.
  std::vector<std::optional<RunTask>> in_flight(static_cast<std::size_t>(size));
  std::size_t busy = 0;
  const auto hand_out = [&](int rank) {
    if (!pending) {
      send_string("", rank, kStopTag);
      return;
    }
    RunTask identity;
    const std::string line = take_task(identity);
    in_flight[static_cast<std::size_t>(rank)] = std::move(identity);
    ++busy;
    send_string(line, rank, kTaskTag);
  };

  try {
    LocalWorker local(options.worker);
    local.set_events_dir(coordinator.events_dir);
    for (int rank = 1; rank < size; ++rank)
      hand_out(rank);
    while ((busy > 0 || pending) && g_interrupted == 0) {
      if (!in_flight[0] && pending) {
        RunTask identity;
        const std::string line = take_task(identity);
        in_flight[0] = std::move(identity);
        ++busy;
        local.send(line);
      }
      int arrived = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kResultTag, MPI_COMM_WORLD, &arrived, &status);
      if (arrived != 0) {
        const std::string line = receive_string(status.MPI_SOURCE, kResultTag, status);
        const auto rank = static_cast<std::size_t>(status.MPI_SOURCE);
        coordinator.record(status.MPI_SOURCE, in_flight[rank].value(), line);
        in_flight[rank].reset();
        --busy;
        hand_out(status.MPI_SOURCE);
        show_progress();
      }
      if (in_flight[0]) {
        // A short wait on the local worker doubles as the pause between MPI polls; MPI's own
        // blocking calls would spin a core that the local worker needs.
        if (auto line = local.receive(arrived != 0 ? 0 : 1)) {
          coordinator.record(0, *in_flight[0], *line);
          in_flight[0].reset();
          --busy;
          show_progress();
        }
      } else if (arrived == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    if (g_interrupted != 0) {
      // Runs in flight on other ranks are lost, as when `tenderlab study` is interrupted; every
      // run recorded so far is committed, so the same command resumes the study.
      std::cerr << "tenderlab-mpi: interrupted: "
                << coordinator.ok + coordinator.failed + coordinator.crashed << " runs recorded in "
                << coordinator.store->path() << "; run the same command to resume\n";
      coordinator.store.reset();
      MPI_Abort(MPI_COMM_WORLD, kInterrupted);
      return kInterrupted;
    }
    local.stop();
    progress.finish(coordinator.ok, coordinator.failed, coordinator.crashed);
  } catch (const std::exception& error) {
    // Other ranks may be in the middle of a run: only an abort stops them. Every run recorded so
    // far is committed, so the study resumes from here.
    std::cerr << "tenderlab-mpi: " << error.what() << '\n';
    MPI_Abort(MPI_COMM_WORLD, kRunFailed);
    return kRunFailed;
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "tenderlab-mpi: " << coordinator.tasks->size() << " runs, " << skipped
            << " already recorded";
  if (coordinator.retried_crashed > 0)
    std::cerr << ", " << coordinator.retried_crashed << " crashed retried";
  if (coordinator.retried_failed > 0)
    std::cerr << ", " << coordinator.retried_failed << " failed retried";
  std::cerr << "; " << coordinator.ok << " ok, " << coordinator.failed << " failed, "
            << coordinator.crashed << " crashed on " << size << " ranks in " << seconds
            << " s; results in " << coordinator.store->path() << '\n';
  // The database decides, not this job: runs that failed or crashed before and were not retried
  // are still missing from the results.
  const auto recorded_statuses = coordinator.store->status_counts();
  if (recorded_statuses.failed + recorded_statuses.crashed > 0) {
    std::cerr << "tenderlab-mpi: error: " << recorded_statuses.failed << " failed and "
              << recorded_statuses.crashed << " crashed runs in " << coordinator.store->path()
              << " (reasons in its runs table); "
              << tenderlab::analysis::how_to_retry(recorded_statuses) << '\n';
    return kRunFailed;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  // A worker that dies while we write to it must become an error message, not a silent SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  Options options;
  options.worker = default_worker_path();
  CLI::App app{
      "Runs a tenderlab study across the ranks of an MPI job. Rank 0 writes the results "
      "database; every rank runs its share through a local `tenderlab worker`.",
      "tenderlab-mpi"};
  app.add_option("study", options.study_file, "Study file (JSON)");
  auto* tasks = app.add_option("--tasks", options.tasks_file,
                               "Run tasks as JSON Lines instead of a study file");
  app.add_option("--db", options.database,
                 "Results database (SQLite); with a study, defaults to the study's own");
  app.add_option("--worker", options.worker,
                 "Worker program, run as `PROGRAM worker --events-dir DIR` on every rank "
                 "(default: tenderlab next to this executable)");
  app.add_flag("--retry-failed", options.retry_failed,
               "Run the runs that failed again (crashed runs are always run again)");
  app.add_option("--progress-every", options.progress.every_runs,
                 "Without a terminal on rank 0: a progress line every N runs (default 100; 0: "
                 "none)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--progress-seconds", options.progress.every_seconds,
                 "Without a terminal on rank 0: a progress line every S seconds (default 60; 0: "
                 "none)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("-q,--quiet", options.quiet, "No progress lines");
  app.set_version_flag("--version", std::string("tenderlab-mpi ") + tenderlab::version);
  tasks->excludes(app.get_option("study"));
  int rc = 0;
  try {
    app.parse(argc, argv);
    if (options.study_file.empty() && options.tasks_file.empty()) {
      throw CLI::ValidationError("give a study file or --tasks FILE.jsonl");
    }
    if (!options.tasks_file.empty() && options.database.empty()) {
      throw CLI::ValidationError("--tasks needs --db FILE");
    }
  } catch (const CLI::ParseError& error) {
    // Every rank parses the same arguments and stops the same way; only rank 0 speaks.
    rc = rank == 0 ? app.exit(error) : (error.get_exit_code() == 0 ? 0 : 2);
    if (rc != 0) rc = 2;
    MPI_Finalize();
    return rc;
  }

  if (rank == 0) {
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
  }
  auto host_names = gather_host_names(rank, size);
  try {
    rc = rank == 0 ? run_coordinator(options, size, std::move(host_names)) : run_follower(options);
  } catch (const std::exception& error) {
    std::cerr << "tenderlab-mpi: rank " << rank << ": " << error.what() << '\n';
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return rc;
}
