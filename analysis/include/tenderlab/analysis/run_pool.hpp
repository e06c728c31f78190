// The runner: executes each run of a study in its own forked process (SimGrid allows one
// simulation per process and keeps global state), several at a time, and records every outcome in
// the results store as it arrives. The code that simulates one run is injected by the caller, so
// this library never links the simulation kernel.
#pragma once

#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/child_process.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/engine/input_error.hpp"

namespace tenderlab::analysis {

/// One run to execute. `payload` carries whatever the run function needs (for a study, the
/// point's changes to the base scenario); the runner only passes it through.
struct RunTask {
  std::string run_id;
  int point = 0;
  int replication = 0;
  std::uint64_t seed = 0;
  nlohmann::json payload;
};

/// The runs to execute, built one at a time when they are about to run, so that the runner's
/// memory does not grow with the number of runs. Tasks are numbered 0 to size() - 1.
class TaskSource {
 public:
  virtual ~TaskSource() = default;
  virtual std::size_t size() const = 0;
  /// Task `index`, in [0, size()): the same task every time it is asked for.
  virtual RunTask task(std::size_t index) const = 0;
  /// The run id of task `index`, without building its payload.
  virtual std::string run_id(std::size_t index) const { return task(index).run_id; }
  /// The index of the task with this run id, if there is one.
  virtual std::optional<std::size_t> index_of(const std::string& run_id) const = 0;
};

/// Tasks given as a list (tests, `tenderlab compare`, task files). Throws std::invalid_argument
/// on a duplicate run_id.
class TaskList final : public TaskSource {
 public:
  explicit TaskList(std::vector<RunTask> tasks);
  std::size_t size() const override { return tasks_.size(); }
  RunTask task(std::size_t index) const override { return tasks_.at(index); }
  std::string run_id(std::size_t index) const override { return tasks_.at(index).run_id; }
  std::optional<std::size_t> index_of(const std::string& run_id) const override;

 private:
  std::vector<RunTask> tasks_;
  std::vector<std::size_t> by_run_id_;  ///< task indices sorted by run_id
};

/// Which tasks of `tasks` are recorded in `store` already (whatever their status): one bit per
/// task, read from the store one run id at a time.
std::vector<bool> recorded_tasks(const TaskSource& tasks, ResultsStore& store);

/// What a run function reports: status "ok" or "failed" (with a reason), the KPIs as a JSON
/// object and the SHA-256 of the run's event log. The runner adds "crashed" itself.
struct RunOutcome {
  std::string status;
  std::string reason;
  nlohmann::json kpis = nlohmann::json::object();
  std::string event_log_sha256;
  /// Who stayed away from each failed round and why: [call, round, agent, role, clause,
  /// effect_bn_krw] per clause (RunReport::stay_away_effects), stored in the stay_away table.
  nlohmann::json stay_away = nlohmann::json::array();
};

/// Executed in a forked child, once per task. An exception becomes status "failed" with its
/// what(); a child that dies or returns nothing becomes "crashed".
using RunFunction = std::function<RunOutcome(const RunTask&)>;

/// When standard error is not a terminal (a batch job, Slurm, an MPI job, a log file), progress is
/// one plain line every `every_runs` runs or `every_seconds` seconds, whichever comes first; 0
/// turns either off (both 0: no lines). docs/cli.md names the defaults.
struct ProgressLines {
  std::size_t every_runs = 100;
  double every_seconds = 60;
};

/// Progress of a set of runs on stderr: a bar redrawn in place on a terminal, plain lines
/// otherwise (ProgressLines); silent when not wanted.
class Progress {
 public:
  Progress(bool wanted, std::size_t total, ProgressLines lines);
  /// The runs ended so far; `force` draws even when not due (the first and last state).
  void update(std::size_t ok, std::size_t failed, std::size_t crashed, bool force = false);
  void finish(std::size_t ok, std::size_t failed, std::size_t crashed);
  /// How long a wait for runs may block before update() is due again (-1: no limit).
  int poll_milliseconds() const;

 private:
  using Clock = std::chrono::steady_clock;
  std::string counts(std::size_t done, std::size_t ok, std::size_t failed,
                     std::size_t crashed) const;
  bool bar_;
  bool lines_;
  ProgressLines every_;
  std::size_t total_;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
  Clock::time_point last_line_;
  std::size_t last_line_done_ = 0;
};

struct PoolOptions {
  int jobs = 1;           ///< children running at once
  bool progress = false;  ///< progress on stderr: a bar on a terminal, else ProgressLines
  ProgressLines progress_lines;
  std::string worker_name;  ///< stored in run_timing.worker; the host name when empty
};

struct PoolReport {
  std::size_t total = 0;    ///< tasks given
  std::size_t skipped = 0;  ///< already in the store (resume)
  std::size_t ok = 0;
  std::size_t failed = 0;
  std::size_t crashed = 0;
  double wall_seconds = 0.0;
  bool interrupted = false;  ///< SIGINT or SIGTERM arrived: the caller should exit with 130
};

/// Runs every task whose run_id is not in `store` yet, at most `options.jobs` at a time, and
/// records each outcome in one transaction as it arrives. Each task is built just before its
/// child is forked and dropped when its outcome is recorded. What is recorded does not depend on
/// completion order, so the store content (timings aside) is the same for any number of jobs.
/// On SIGINT or SIGTERM it stops launching, kills the running children without recording them
/// and returns with `interrupted` set. Throws std::invalid_argument on jobs < 1, and
/// ResultsStoreError if recording fails (after killing the running children).
/// It installs its own SIGINT/SIGTERM handlers for its duration (and restores the previous ones
/// in the children), so only one run_pool may run at a time in a process.
PoolReport run_pool(const TaskSource& tasks, const RunFunction& run, ResultsStore& store,
                    const PoolOptions& options);
/// The same for a list of tasks; throws std::invalid_argument on duplicate run_ids.
PoolReport run_pool(const std::vector<RunTask>& tasks, const RunFunction& run, ResultsStore& store,
                    const PoolOptions& options);

/// Runs one task in a forked child and waits for it; the same isolation and crash reporting as
/// run_pool, for callers that schedule runs themselves. `stop`, when given, is a flag a signal
/// handler sets (installed without SA_RESTART, so that the wait is interrupted): once it is set,
/// the child is killed and the outcome says so, rather than the caller waiting for the whole run.
RunOutcome run_in_child(const RunTask& task, const RunFunction& run,
                        const volatile std::sig_atomic_t* stop = nullptr);

/// A worker task that is not one: not JSON, not an object, a missing, unknown or mistyped field,
/// a number out of range, a run id of other characters. Bad input, like any InputError.
class WorkerTaskError : public InputError {
 public:
  using InputError::InputError;
};

/// The longest task line a worker reads (the JSON reader's own limit on a document).
inline constexpr std::size_t max_worker_task_bytes = std::size_t{64} << 20U;

/// Reads one worker task (one line of the worker protocol or of a task file, docs/cluster.md):
/// a JSON object with exactly `run_id` (1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-',
/// the first a letter or digit), `point` and `replication` (integers in [0, 2^31 - 1]), `seed` (an
/// integer in [0, 2^64 - 1]) and optionally `payload` (any JSON value, passed on as it is).
/// Throws WorkerTaskError naming `origin`, the JSON Pointer of the first bad field, what was
/// expected and what was found; never anything else, whatever the input.
RunTask parse_worker_task(std::string_view line, const std::string& origin = "worker task");

/// Reads a file of worker tasks, one per line (parse_worker_task; blank lines are skipped), as
/// `tenderlab-mpi --tasks FILE` does. Anything but a regular file is refused before a byte is
/// read, so a FIFO never blocks and /dev/zero never fills memory; a line longer than
/// max_worker_task_bytes is refused without being held. Throws an InputError (a WorkerTaskError
/// for a bad line) naming the file and the line.
std::vector<RunTask> read_worker_task_file(const std::string& path);

/// The worker side of distributed runs (tenderlab-mpi) and of `tenderlab worker`: reads one
/// task per line from `in` (parse_worker_task), runs it with run_in_child and writes one
/// WorkerResult JSON per line to `out`, flushing after each. Blank lines are ignored. Returns 0
/// at end of input, 2 (with a message on stderr) on a line that is not a task.
int serve_worker(std::istream& in, std::ostream& out, const RunFunction& run);

/// One line of serve_worker's output: the outcome, with the run it belongs to and the time the
/// worker spent on it.
struct WorkerResult {
  std::string run_id;
  RunOutcome outcome;
  double wall_seconds = 0.0;
};

// JSON forms used on the worker pipes and in task files (JSON Lines). RunTask:
// {"run_id", "point", "replication", "seed", "payload"}, read with the checks of
// parse_worker_task (from_json throws WorkerTaskError); WorkerResult: {"run_id", "status",
// "reason", "kpis", "event_log_sha256", "wall_seconds"}, whose from_json throws nlohmann::json
// exceptions on missing or mistyped fields.
void to_json(nlohmann::json& json, const RunTask& task);
void from_json(const nlohmann::json& json, RunTask& task);
void to_json(nlohmann::json& json, const RunOutcome& outcome);
void from_json(const nlohmann::json& json, RunOutcome& outcome);
void to_json(nlohmann::json& json, const WorkerResult& result);
void from_json(const nlohmann::json& json, WorkerResult& result);

/// The record of `task` finishing with `outcome`, as run_pool stores it.
RunRecord make_run_record(const RunTask& task, const RunOutcome& outcome, double wall_seconds,
                          const std::string& worker);

/// The host name, used as the default worker name.
std::string default_worker_name();

}  // namespace tenderlab::analysis
