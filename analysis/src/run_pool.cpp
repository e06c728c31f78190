#include "tenderlab/analysis/run_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <limits>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab::analysis {
namespace {

using Clock = std::chrono::steady_clock;

// A child that writes more than this is broken, not verbose: it is killed and marked crashed.
constexpr std::size_t kMaxOutcomeBytes = std::size_t{64} << 20U;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

bool write_all(int fd, const std::string& data) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return true;
}

std::string dump_json(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Signal dispositions to put back in a forked child, so that the child reacts to signals as the
// process did before run_pool installed its own handlers.
struct ChildSignals {
  struct sigaction interrupt_action {};
  struct sigaction terminate_action {};
};

// The body of a forked child: run the task, turn every way the function can fail into an
// outcome and write it as one JSON document. Returns the child's exit status.
int child_main(int fd, const RunTask& task, const RunFunction& run) {
  RunOutcome outcome;
  try {
    outcome = run(task);
    if (outcome.kpis.is_null()) outcome.kpis = nlohmann::json::object();
    if (outcome.status != "ok" && outcome.status != "failed") {
      outcome = {"failed", "run function returned status '" + outcome.status + "'", {}, {}};
    } else if (!outcome.kpis.is_object()) {
      outcome = {"failed", "run function returned kpis that are not a JSON object", {}, {}};
    }
  } catch (const std::exception& error) {
    outcome = {"failed", error.what(), nlohmann::json::object(), {}};
  } catch (...) {
    outcome = {"failed",
               "unknown exception (not derived from std::exception)",
               nlohmann::json::object(),
               {}};
  }
  std::string text;
  try {
    text = dump_json(nlohmann::json(outcome));
  } catch (...) {
    return 3;
  }
  return write_all(fd, text) ? 0 : 4;
}

struct Child {
  ChildProcess process;
  RunTask task;  ///< what is recorded with the outcome; its payload is dropped once forked
  Clock::time_point started;
  std::string output;
  bool oversized = false;
};

// Forks a child that runs `task`. `close_in_child` are descriptors of sibling pipes, which the
// child has no business holding.
Child spawn_child(const RunTask& task, const RunFunction& run, const ChildSignals* signals,
                  const std::vector<int>& close_in_child) {
  ChildOptions options;
  options.close_in_child = close_in_child;
  if (signals != nullptr) {
    options.interrupt_action = &signals->interrupt_action;
    options.terminate_action = &signals->terminate_action;
  }
  Child child;
  child.process =
      ChildProcess::fork_call([&task, &run](int fd) { return child_main(fd, task, run); }, options);
  child.started = Clock::now();
  return child;
}

// Reads what is available; false once the child has closed its end (normally by exiting). With
// `stop`, returns true when a signal interrupted the read and set it, for the caller to act on.
bool read_some(Child& child, const volatile std::sig_atomic_t* stop = nullptr) {
  std::array<char, 65536> buffer{};
  for (;;) {
    if (stop != nullptr && *stop != 0) return true;
    const ssize_t n = ::read(child.process.output(), buffer.data(), buffer.size());
    if (n > 0) {
      if (child.output.size() + static_cast<std::size_t>(n) > kMaxOutcomeBytes) {
        child.oversized = true;
        child.process.kill(SIGKILL);
        return false;
      }
      child.output.append(buffer.data(), static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return true;
    return false;
  }
}

// Reaps the child and turns its exit status and output into an outcome.
RunOutcome finish_child(Child& child) {
  const int status = child.process.wait();
  if (child.oversized) {
    return {"crashed",
            "wrote an outcome larger than " + std::to_string(kMaxOutcomeBytes >> 20U) + " MiB",
            nlohmann::json::object(),
            {}};
  }
  if (WIFSIGNALED(status)) {
    return {"crashed", describe_signal(WTERMSIG(status)), nlohmann::json::object(), {}};
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return {"crashed",
            "exited with status " + std::to_string(WEXITSTATUS(status)) + " without an outcome",
            nlohmann::json::object(),
            {}};
  }
  if (child.output.empty()) {
    return {"crashed", "exited without an outcome", nlohmann::json::object(), {}};
  }
  try {
    return nlohmann::json::parse(child.output).get<RunOutcome>();
  } catch (const std::exception& error) {
    return {"crashed",
            std::string("wrote an unreadable outcome: ") + error.what(),
            nlohmann::json::object(),
            {}};
  }
}

void kill_and_reap(std::vector<Child>& children) {
  // Every child is signalled before any is waited for, so they die together.
  for (auto& child : children)
    child.process.kill(SIGKILL);
  children.clear();  // each ChildProcess reaps its own
}

// SIGINT and SIGTERM set a flag and wake poll() through a self-pipe; the previous handlers are
// restored on scope exit. One run_pool at a time per process.
volatile std::sig_atomic_t g_stop_requested = 0;
int g_wake_fd = -1;

extern "C" void on_stop_signal(int /*signal_number*/) {
  const int saved_errno = errno;
  g_stop_requested = 1;
  if (g_wake_fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_wake_fd, &byte, 1);
  }
  errno = saved_errno;
}

class StopSignals {
 public:
  StopSignals() {
    if (::pipe2(wake_.data(), O_CLOEXEC | O_NONBLOCK) != 0) throw_errno("pipe");
    g_stop_requested = 0;
    g_wake_fd = wake_[1];
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: poll() must return to look at the flag
    sigaction(SIGINT, &action, &previous_.interrupt_action);
    sigaction(SIGTERM, &action, &previous_.terminate_action);
  }
  ~StopSignals() {
    sigaction(SIGINT, &previous_.interrupt_action, nullptr);
    sigaction(SIGTERM, &previous_.terminate_action, nullptr);
    g_wake_fd = -1;
    ::close(wake_[0]);
    ::close(wake_[1]);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool requested() const { return g_stop_requested != 0; }
  int wake_fd() const { return wake_[0]; }
  const ChildSignals& previous() const { return previous_; }

 private:
  std::array<int, 2> wake_{};
  ChildSignals previous_;
};

std::string format_duration(double seconds) {
  const long total = static_cast<long>(seconds + 0.5);
  std::array<char, 32> buffer{};
  if (total >= 3600) {
    std::snprintf(buffer.data(), buffer.size(), "%ldh%02ldm", total / 3600, (total / 60) % 60);
  } else if (total >= 60) {
    std::snprintf(buffer.data(), buffer.size(), "%ldm%02lds", total / 60, total % 60);
  } else {
    std::snprintf(buffer.data(), buffer.size(), "%lds", total);
  }
  return buffer.data();
}

// Kills and reaps whatever is still running when run_pool leaves, normally or by an exception.
struct RunningChildren {
  std::vector<Child> children;
  ~RunningChildren() { kill_and_reap(children); }
};

}  // namespace

Progress::Progress(bool wanted, std::size_t total, ProgressLines lines)
    : bar_(wanted && ::isatty(STDERR_FILENO) == 1),
      lines_(wanted && !bar_ && (lines.every_runs > 0 || lines.every_seconds > 0)),
      every_(lines),
      total_(total),
      start_(Clock::now()),
      last_line_(start_) {}

std::string Progress::counts(std::size_t done, std::size_t ok, std::size_t failed,
                             std::size_t crashed) const {
  const double elapsed = seconds_since(start_);
  std::string eta = "--";
  if (done > 0 && done < total_) {
    eta = format_duration(elapsed / static_cast<double>(done) * static_cast<double>(total_ - done));
  } else if (done == total_) {
    eta = "0s";
  }
  std::array<char, 200> text{};
  std::snprintf(text.data(), text.size(),
                "%zu/%zu  ok %zu  failed %zu  crashed %zu  elapsed %s  ETA %s", done, total_, ok,
                failed, crashed, format_duration(elapsed).c_str(), eta.c_str());
  return text.data();
}

void Progress::update(std::size_t ok, std::size_t failed, std::size_t crashed, bool force) {
  const std::size_t done = ok + failed + crashed;
  const auto now = Clock::now();
  if (bar_) {
    if (!force && now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    constexpr std::size_t kWidth = 24;
    const std::size_t filled = total_ == 0 ? kWidth : kWidth * done / total_;
    std::string bar(filled, '=');
    bar.resize(kWidth, ' ');
    std::fprintf(stderr, "\r[%s] %s\033[K", bar.c_str(), counts(done, ok, failed, crashed).c_str());
    std::fflush(stderr);
    return;
  }
  if (!lines_) return;
  // One plain line per step: a log file or a batch system's output gets no carriage returns,
  // and a long run still shows it is alive.
  const bool runs_due = every_.every_runs > 0 && done >= last_line_done_ + every_.every_runs;
  const bool time_due =
      every_.every_seconds > 0 &&
      std::chrono::duration<double>(now - last_line_).count() >= every_.every_seconds;
  if (!runs_due && !time_due && !(force && done != last_line_done_)) return;
  last_line_ = now;
  last_line_done_ = done;
  std::fprintf(stderr, "progress: %s\n", counts(done, ok, failed, crashed).c_str());
  std::fflush(stderr);
}

void Progress::finish(std::size_t ok, std::size_t failed, std::size_t crashed) {
  if (bar_) {
    update(ok, failed, crashed, true);
    std::fputc('\n', stderr);
  } else if (lines_) {
    update(ok, failed, crashed, true);
  }
}

int Progress::poll_milliseconds() const {
  if (bar_) return 200;
  if (lines_ && every_.every_seconds > 0)
    return static_cast<int>(std::clamp(every_.every_seconds * 1000.0 / 4, 50.0, 1000.0));
  return -1;
}

std::string default_worker_name() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) return "unknown";
  return host.data();
}

RunRecord make_run_record(const RunTask& task, const RunOutcome& outcome, double wall_seconds,
                          const std::string& worker) {
  RunRecord record;
  record.run_id = task.run_id;
  record.point = task.point;
  record.replication = task.replication;
  record.seed = task.seed;
  record.status = outcome.status;
  record.reason = outcome.reason;
  record.kpis = outcome.kpis.is_null() ? nlohmann::json::object() : outcome.kpis;
  record.event_log_sha256 = outcome.event_log_sha256;
  record.stay_away = outcome.stay_away;
  record.wall_seconds = wall_seconds;
  record.worker = worker;
  return record;
}

RunOutcome run_in_child(const RunTask& task, const RunFunction& run,
                        const volatile std::sig_atomic_t* stop) {
  Child child = spawn_child(task, run, nullptr, {});
  while (read_some(child, stop)) {
    if (stop != nullptr && *stop != 0) {
      // The caller was asked to stop: the run is abandoned, not waited for.
      child.process.kill(SIGKILL);
      break;
    }
  }
  return finish_child(child);
}

TaskList::TaskList(std::vector<RunTask> tasks) : tasks_(std::move(tasks)) {
  by_run_id_.resize(tasks_.size());
  for (std::size_t i = 0; i < tasks_.size(); ++i)
    by_run_id_[i] = i;
  std::sort(by_run_id_.begin(), by_run_id_.end(),
            [this](std::size_t a, std::size_t b) { return tasks_[a].run_id < tasks_[b].run_id; });
  for (std::size_t i = 1; i < by_run_id_.size(); ++i) {
    if (tasks_[by_run_id_[i - 1]].run_id == tasks_[by_run_id_[i]].run_id) {
      throw std::invalid_argument("duplicate run_id '" + tasks_[by_run_id_[i]].run_id +
                                  "' in the task list");
    }
  }
}

std::optional<std::size_t> TaskList::index_of(const std::string& run_id) const {
  const auto it = std::lower_bound(
      by_run_id_.begin(), by_run_id_.end(), run_id,
      [this](std::size_t index, const std::string& id) { return tasks_[index].run_id < id; });
  if (it == by_run_id_.end() || tasks_[*it].run_id != run_id) return std::nullopt;
  return *it;
}

std::vector<bool> recorded_tasks(const TaskSource& tasks, ResultsStore& store) {
  std::vector<bool> recorded(tasks.size(), false);
  store.for_each_finished_run([&](const std::string& run_id) {
    if (const auto index = tasks.index_of(run_id)) recorded[*index] = true;
  });
  return recorded;
}

PoolReport run_pool(const std::vector<RunTask>& tasks, const RunFunction& run, ResultsStore& store,
                    const PoolOptions& options) {
  return run_pool(TaskList(tasks), run, store, options);
}

PoolReport run_pool(const TaskSource& tasks, const RunFunction& run, ResultsStore& store,
                    const PoolOptions& options) {
  if (options.jobs < 1) {
    throw std::invalid_argument("jobs must be at least 1, got " + std::to_string(options.jobs));
  }
  if (!run) throw std::invalid_argument("no run function given");
  const auto start = Clock::now();
  PoolReport report;
  report.total = tasks.size();

  // One bit per task rather than the set of recorded run ids: a resumed study of a million runs
  // needs to know which ones to skip, nothing more.
  const std::vector<bool> recorded = recorded_tasks(tasks, store);
  report.skipped = static_cast<std::size_t>(std::count(recorded.begin(), recorded.end(), true));
  const std::string worker =
      options.worker_name.empty() ? default_worker_name() : options.worker_name;
  const auto jobs = static_cast<std::size_t>(options.jobs);

  StopSignals stop;
  RunningChildren running;
  Progress progress(options.progress, report.total - report.skipped, options.progress_lines);
  progress.update(0, 0, 0, true);
  std::size_t next = 0;  // the next task to consider; recorded ones are stepped over
  const auto next_pending = [&]() -> std::optional<std::size_t> {
    while (next < recorded.size() && recorded[next])
      ++next;
    if (next == recorded.size()) return std::nullopt;
    return next++;
  };
  std::optional<std::size_t> pending = next_pending();
  std::vector<pollfd> poll_fds;
  std::vector<int> sibling_fds;

  while (!stop.requested()) {
    while (running.children.size() < jobs && pending && !stop.requested()) {
      sibling_fds.clear();
      sibling_fds.push_back(stop.wake_fd());
      for (const auto& child : running.children)
        sibling_fds.push_back(child.process.output());
      RunTask task = tasks.task(*pending);
      Child child = spawn_child(task, run, &stop.previous(), sibling_fds);
      task.payload = nlohmann::json();  // the child has its copy; only the identity is recorded
      child.task = std::move(task);
      running.children.push_back(std::move(child));
      pending = next_pending();
    }
    if (running.children.empty()) break;

    poll_fds.clear();
    poll_fds.push_back({stop.wake_fd(), POLLIN, 0});
    for (const auto& child : running.children)
      poll_fds.push_back({child.process.output(), POLLIN, 0});
    const int ready =
        ::poll(poll_fds.data(), static_cast<nfds_t>(poll_fds.size()), progress.poll_milliseconds());
    if (ready < 0 && errno != EINTR) throw_errno("poll");
    // A Ctrl-C reaches the children too (same process group): a child dying of it is an
    // interruption, not a crash, so nothing is recorded once the flag is up.
    if (stop.requested()) break;

    // Walk backwards so that erasing keeps the remaining indices valid.
    for (std::size_t i = running.children.size(); i-- > 0;) {
      if (ready <= 0 || poll_fds[i + 1].revents == 0) continue;
      Child& child = running.children[i];
      if (read_some(child)) continue;
      const RunOutcome outcome = finish_child(child);
      const double wall = seconds_since(child.started);
      const RunTask task = std::move(child.task);
      running.children.erase(running.children.begin() + static_cast<std::ptrdiff_t>(i));
      store.record(make_run_record(task, outcome, wall, worker));
      if (outcome.status == "ok") {
        ++report.ok;
      } else if (outcome.status == "failed") {
        ++report.failed;
      } else {
        ++report.crashed;
      }
    }
    progress.update(report.ok, report.failed, report.crashed);
  }

  report.interrupted = stop.requested();
  kill_and_reap(running.children);
  progress.finish(report.ok, report.failed, report.crashed);
  report.wall_seconds = seconds_since(start);
  return report;
}

namespace {

bool valid_run_id(const std::string& id) {
  static constexpr std::string_view letters_and_digits =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  if (id.empty() || id.size() > 128) return false;
  if (letters_and_digits.find(id.front()) == std::string_view::npos) return false;
  for (const char c : id) {
    if (letters_and_digits.find(c) == std::string_view::npos && c != '.' && c != '_' && c != '-')
      return false;
  }
  return true;
}

// The checks of parse_worker_task on a parsed document; every problem is collected.
RunTask task_from_json(const nlohmann::json& json, const std::string& origin) {
  ProblemSink sink(origin);
  RunTask task;
  {
    ObjectReader reader(json, "", sink);
    if (reader.valid()) {
      const std::string run_id_expected =
          "a run id of 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a "
          "letter or digit";
      if (const nlohmann::json* id = reader.get("run_id")) {
        if (id->is_string() && valid_run_id(id->get<std::string>())) {
          task.run_id = id->get<std::string>();
        } else {
          sink.add("/run_id", run_id_expected, describe_json(*id));
        }
      } else {
        sink.add("/run_id", run_id_expected, "nothing (missing)");
      }
      task.point = static_cast<int>(reader.integer("point", 0, 0, INT_MAX, true));
      task.replication = static_cast<int>(reader.integer("replication", 0, 0, INT_MAX, true));
      const std::string seed_expected =
          "an integer in [0, " + std::to_string(std::numeric_limits<std::uint64_t>::max()) + "]";
      if (const nlohmann::json* seed = reader.get("seed")) {
        // Only an unsigned JSON integer: get<uint64_t>() would wrap a negative number and
        // truncate a fraction.
        if (seed->is_number_unsigned()) {
          task.seed = seed->get<std::uint64_t>();
        } else {
          sink.add("/seed", seed_expected, describe_json(*seed));
        }
      } else {
        sink.add("/seed", seed_expected, "nothing (missing)");
      }
      if (const nlohmann::json* payload = reader.get("payload")) task.payload = *payload;
      reader.finish();
    }
  }
  if (!sink.empty()) throw WorkerTaskError(sink.take());
  return task;
}

enum class LineRead { line, end, too_long };

// std::getline with a bound: a line longer than `max` bytes is not read into memory.
LineRead read_line(std::istream& in, std::string& line, std::size_t max) {
  line.clear();
  std::streambuf* buffer = in.rdbuf();
  for (;;) {
    const auto c = buffer->sbumpc();
    if (std::char_traits<char>::eq_int_type(c, std::char_traits<char>::eof()))
      return line.empty() ? LineRead::end : LineRead::line;
    if (c == '\n') return LineRead::line;
    if (line.size() >= max) return LineRead::too_long;
    line.push_back(std::char_traits<char>::to_char_type(c));
  }
}

}  // namespace

RunTask parse_worker_task(std::string_view line, const std::string& origin) {
  if (line.size() > max_worker_task_bytes) {
    throw WorkerTaskError({InputProblem{
        origin, "", "a task of at most " + std::to_string(max_worker_task_bytes) + " bytes",
        std::to_string(line.size()) + " bytes"}});
  }
  nlohmann::json document;
  try {
    document = parse_json_text(std::string(line), origin);
  } catch (const InputError& error) {
    throw WorkerTaskError(error.problems());
  } catch (const nlohmann::json::exception& error) {
    // The parser also throws outside its parse errors, e.g. on a number too large for a double.
    throw WorkerTaskError({InputProblem{origin, "", "a valid JSON document", error.what()}});
  }
  return task_from_json(document, origin);
}

std::vector<RunTask> read_worker_task_file(const std::string& path) {
  const auto refuse = [&](const std::string& expected, const std::string& found) {
    throw WorkerTaskError({InputProblem{path, "", expected, found}});
  };
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse("a readable task file", "a file that cannot be opened");
  std::vector<RunTask> tasks;
  std::string line;
  for (std::size_t number = 1;; ++number) {
    const LineRead read = read_line(in, line, max_worker_task_bytes);
    if (read == LineRead::end) break;
    const std::string origin = path + ": line " + std::to_string(number);
    if (read == LineRead::too_long) {
      throw WorkerTaskError({InputProblem{
          origin, "", "a task of at most " + std::to_string(max_worker_task_bytes) + " bytes",
          "a longer line"}});
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    tasks.push_back(parse_worker_task(line, origin));
  }
  return tasks;
}

int serve_worker(std::istream& in, std::ostream& out, const RunFunction& run) {
  std::string line;
  std::size_t line_number = 0;
  for (;;) {
    const LineRead read = read_line(in, line, max_worker_task_bytes);
    if (read == LineRead::end) break;
    ++line_number;
    if (read == LineRead::too_long) {
      std::cerr << "tenderlab worker: input line " << line_number << ": expected a task of at most "
                << max_worker_task_bytes << " bytes, found a longer line\n";
      return 2;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    RunTask task;
    try {
      task = parse_worker_task(line, "input line " + std::to_string(line_number));
    } catch (const WorkerTaskError& error) {
      std::cerr << "tenderlab worker: " << error.what() << '\n';
      return 2;
    }
    line.clear();
    line.shrink_to_fit();  // a task line can be large; the next one is read afresh
    const auto start = Clock::now();
    WorkerResult result{task.run_id, run_in_child(task, run), 0.0};
    result.wall_seconds = seconds_since(start);
    out << dump_json(nlohmann::json(result)) << '\n' << std::flush;
    if (!out) {
      std::cerr << "tenderlab worker: cannot write the outcome of " << task.run_id << '\n';
      return 3;
    }
  }
  return 0;
}

void to_json(nlohmann::json& json, const RunTask& task) {
  json = nlohmann::json{{"run_id", task.run_id},
                        {"point", task.point},
                        {"replication", task.replication},
                        {"seed", task.seed},
                        {"payload", task.payload}};
}

void from_json(const nlohmann::json& json, RunTask& task) {
  task = task_from_json(json, "run task");
}

void to_json(nlohmann::json& json, const RunOutcome& outcome) {
  json = nlohmann::json{{"status", outcome.status},
                        {"reason", outcome.reason},
                        {"kpis", outcome.kpis},
                        {"event_log_sha256", outcome.event_log_sha256},
                        {"stay_away", outcome.stay_away}};
}

void from_json(const nlohmann::json& json, RunOutcome& outcome) {
  json.at("status").get_to(outcome.status);
  outcome.reason = json.value("reason", std::string());
  outcome.kpis = json.value("kpis", nlohmann::json::object());
  outcome.event_log_sha256 = json.value("event_log_sha256", std::string());
  outcome.stay_away = json.value("stay_away", nlohmann::json::array());
}

void to_json(nlohmann::json& json, const WorkerResult& result) {
  to_json(json, result.outcome);
  json["run_id"] = result.run_id;
  json["wall_seconds"] = result.wall_seconds;
}

void from_json(const nlohmann::json& json, WorkerResult& result) {
  json.at("run_id").get_to(result.run_id);
  from_json(json, result.outcome);
  result.wall_seconds = json.value("wall_seconds", 0.0);
}

}  // namespace tenderlab::analysis
