// The SimGrid kernel (engine/src/kernel.cpp) and the event log (engine/src/event_log.cpp).
//
// SimGrid allows one engine per process and keeps global state, so every simulation here runs
// in a forked child: the child builds a Kernel, spawns actors, runs, and writes what happened
// (the outcome and a trace the actors kept) to a pipe before _exit. The parent checks that the
// child ended normally and what it reported. Event-log tests need no engine and run in-process.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tenderlab/engine/event_log.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/kernel.hpp"
#include "tenderlab/engine/sha256.hpp"

using namespace tenderlab;

namespace {

const Calendar calendar(Date::from_ymd(2025, 1, 1));
constexpr double day = seconds_per_day;
constexpr double horizon = 10 * day;  // 2025-01-11

/// What a child reported about its simulation.
struct Outcome {
  bool exited = false;  ///< the child ended through _exit, not by a signal
  int exit_code = -1;
  int signal = 0;
  std::string status;              ///< "ok", "error" or "" when the child never got that far
  std::string message;             ///< the RunError's message
  std::vector<std::string> trace;  ///< lines the actors recorded, in order
  bool destroyed = false;          ///< the Kernel was destroyed without incident afterwards
};

/// The trace the actors of the current child append to.
std::vector<std::string>* trace_lines = nullptr;

void trace(const std::string& line) {
  trace_lines->push_back(line);
}

std::string at(const std::string& what) {
  std::ostringstream out;
  out << what << " at " << Kernel::now();
  return out.str();
}

KernelOptions kernel_options() {
  KernelOptions options;
#if defined(__SANITIZE_ADDRESS__)
  // ASan reports false stack overflows when an exception unwinds on SimGrid's default swapped
  // contexts; thread contexts are free of them.
  options.simgrid_args.push_back("--cfg=contexts/factory:thread");
#endif
  return options;
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) _exit(90);
    done += static_cast<std::size_t>(n);
  }
}

/// Runs `setup` + Kernel::run in a forked child and collects the report. Lines on the pipe:
/// "status <ok|error>", "message <text>", "trace <text>" (one per line), "destroyed".
Outcome simulate_in_child(const std::function<void(Kernel&)>& setup,
                          const std::vector<std::string>& hosts = {"h1", "h2"}) {
  int fd[2];
  REQUIRE(::pipe(fd) == 0);
  std::fflush(nullptr);  // or buffered output would be written twice
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fd[0]);
    // Catch's handlers for fatal signals were inherited: restore the defaults so a crash in the
    // child is reported to the parent as a signal, not as a second test report.
    for (int sig : {SIGABRT, SIGSEGV, SIGFPE, SIGILL, SIGBUS, SIGTERM, SIGINT})
      std::signal(sig, SIG_DFL);
    ::alarm(30);  // a hanging simulation ends the child with SIGALRM instead of the test run
    std::vector<std::string> lines;
    trace_lines = &lines;
    std::string report;
    try {
      std::optional<Kernel> kernel;
      kernel.emplace(calendar, horizon, hosts, kernel_options());
      setup(*kernel);
      try {
        kernel->run();
        report += "status ok\n";
      } catch (const RunError& error) {
        report += "status error\nmessage " + std::string(error.what()) + "\n";
      }
      for (const auto& line : lines)
        report += "trace " + line + "\n";
      write_all(fd[1], report);
      report.clear();
      kernel.reset();
      report += "destroyed\n";
    } catch (const std::exception& error) {
      report += "status unexpected\nmessage " + std::string(error.what()) + "\n";
    }
    write_all(fd[1], report);
    ::close(fd[1]);
    _exit(0);
  }
  ::close(fd[1]);
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd[0], buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  Outcome outcome;
  outcome.exited = WIFEXITED(status);
  if (outcome.exited) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("status ", 0) == 0)
      outcome.status = line.substr(7);
    else if (line.rfind("message ", 0) == 0)
      outcome.message = line.substr(8);
    else if (line.rfind("trace ", 0) == 0)
      outcome.trace.push_back(line.substr(6));
    else if (line == "destroyed")
      outcome.destroyed = true;
  }
  return outcome;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The child ended on its own, exit code 0, whatever the simulation's outcome.
void require_clean_exit(const Outcome& outcome) {
  INFO("signal " << outcome.signal << ", status '" << outcome.status << "', message '"
                 << outcome.message << "'");
  REQUIRE(outcome.exited);
  REQUIRE(outcome.exit_code == 0);
}

}  // namespace

TEST_CASE("a sleeping actor wakes at the time it asked for and the run succeeds") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("sleeper", "h1", [] {
      Kernel::sleep_until(3.5 * day);
      trace(at("woke"));
      Kernel::sleep_until(3.5 * day);  // exactly now: returns at once
      trace(at("still"));
    });
    kernel.spawn("early", "h2", [] {
      Kernel::sleep_until(0.25 * day);
      trace(at("early woke"));
    });
  });
  require_clean_exit(outcome);
  CHECK(outcome.status == "ok");
  CHECK(outcome.message.empty());
  CHECK(outcome.trace ==
        std::vector<std::string>{"early woke at 21600", "woke at 302400", "still at 302400"});
  CHECK(outcome.destroyed);
}

TEST_CASE("sleeping into the past is a model error naming the actor and both times") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("late-riser", "h1", [] {
      Kernel::sleep_until(3.5 * day);
      try {
        Kernel::sleep_until(1.0 * day);
        trace("slept into the past");
      } catch (const ModelError& error) {
        trace(at(error.what()));
        throw;
      }
    });
  });
  require_clean_exit(outcome);
  INFO(outcome.message);
  CHECK(outcome.trace ==
        std::vector<std::string>{"actor 'late-riser' asked to sleep until 2025-01-02 (t=86400), "
                                 "which is before now, 2025-01-04 (t=302400) at 302400"});
  // The error ends the run at the moment it was asked, as any error inside an actor does.
  CHECK(outcome.status == "error");
  CHECK(contains(outcome.message, "error in actor 'late-riser' at t=302400"));
  CHECK(contains(outcome.message, "before now"));
  CHECK(outcome.destroyed);
}

TEST_CASE("sleeping until a time that is not a number is a model error") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("confused", "h1", [] { Kernel::sleep_until(std::nan("")); });
  });
  require_clean_exit(outcome);
  CHECK(outcome.status == "error");
  CHECK(contains(outcome.message, "actor 'confused' asked to sleep until (t=nan)"));
}

TEST_CASE("the kernel keeps its calendar and horizon") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    trace(kernel.calendar().start().iso());
    trace(std::to_string(static_cast<long long>(kernel.horizon_time())));
  });
  require_clean_exit(outcome);
  CHECK(outcome.status == "ok");  // no actors at all is a complete run
  CHECK(outcome.trace == std::vector<std::string>{"2025-01-01", "864000"});
}

TEST_CASE("messages through an inbox arrive in the order they were sent") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("receiver", "h1", [] {
      Inbox<std::string> inbox("receiver");
      inbox.claim();
      for (int i = 0; i < 6; ++i)
        trace(at(inbox.receive()));
    });
    kernel.spawn("sender-a", "h2", [] {
      Kernel::sleep_until(1.0);
      Inbox<std::string> inbox("receiver");
      for (const char* text : {"a1", "a2", "a3"})
        inbox.send(text);
      Kernel::sleep_until(2.0);
      inbox.send("a4");
    });
    kernel.spawn("sender-b", "h2", [] {
      Kernel::sleep_until(1.5);
      Inbox<std::string> inbox("receiver");
      inbox.send("b1");
      inbox.send("b2");
    });
  });
  require_clean_exit(outcome);
  CHECK(outcome.status == "ok");
  CHECK(outcome.trace == std::vector<std::string>{"a1 at 1", "a2 at 1", "a3 at 1", "b1 at 1.5",
                                                  "b2 at 1.5", "a4 at 2"});
}

TEST_CASE("receive_until times out at the given time and returns waiting messages first") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("receiver", "h1", [] {
      Inbox<int> inbox("receiver");
      inbox.claim();
      // Nothing comes: it times out exactly at the deadline.
      auto none = inbox.receive_until(10.0);
      trace(at(none ? "got" : "timeout"));
      // A message sent at 20 ends a wait until 30 at 20.
      auto early = inbox.receive_until(30.0);
      trace(at(early ? "got " + std::to_string(*early) : "timeout"));
      // A deadline already past returns at once.
      auto past = inbox.receive_until(5.0);
      trace(at(past ? "got" : "past"));
      // A message that is already waiting is returned even when the deadline is now.
      Kernel::sleep_until(50.0);
      auto waiting = inbox.receive_until(50.0);
      trace(at(waiting ? "got " + std::to_string(*waiting) : "timeout"));
      auto then = inbox.receive_until(Kernel::now());
      trace(at(then ? "got" : "empty"));
    });
    kernel.spawn("sender", "h2", [] {
      Inbox<int> inbox("receiver");
      Kernel::sleep_until(20.0);
      inbox.send(7);
      Kernel::sleep_until(40.0);
      inbox.send(8);
    });
  });
  require_clean_exit(outcome);
  CHECK(outcome.status == "ok");
  CHECK(outcome.trace == std::vector<std::string>{"timeout at 10", "got 7 at 20", "past at 20",
                                                  "got 8 at 50", "empty at 50"});
}

namespace {

/// Two actors that each wait, from 1.5 days on, for a message only the other could send.
void mutual_wait(Kernel& kernel) {
  for (const std::string name : {"alice", "bob"}) {
    kernel.spawn(name, name == "alice" ? "h1" : "h2", [name] {
      Inbox<int> own(name);
      own.claim();
      Kernel::sleep_until(1.5 * day);
      trace(at(name + " waits"));
      (void)own.receive();  // the other never sends
      trace(at(name + " received"));
    });
  }
}

}  // namespace

TEST_CASE("two actors each waiting for the other's message end the run with a RunError") {
  const Outcome outcome = simulate_in_child(mutual_wait);
  require_clean_exit(outcome);
  INFO(outcome.message);
  CHECK(outcome.status == "error");  // never a silent success
  CHECK(contains(outcome.message, "alice"));
  CHECK(contains(outcome.message, "bob"));
  CHECK(outcome.trace.size() == 2);  // both waited, neither received
  for (const auto& line : outcome.trace)
    CHECK(contains(line, "waits at 129600"));
  CHECK(outcome.destroyed);
}

TEST_CASE("a deadlock is reported as a deadlock with its date and the blocked actors") {
  // Kernel::run uses Engine::run_until(horizon). With a deadline and no pending timer, SimGrid
  // advances the clock to the deadline instead of detecting the deadlock, so on_deadlock_cb
  // never fires and the run is reported as running past its horizon.
  const Outcome outcome = simulate_in_child(mutual_wait);
  require_clean_exit(outcome);
  INFO(outcome.message);
  CHECK(outcome.status == "error");
  CHECK(contains(outcome.message, "deadlock at 2025-01-02"));
  CHECK(contains(outcome.message, "alice"));
  CHECK(contains(outcome.message, "bob"));
  CHECK_FALSE(contains(outcome.message, "past its horizon"));
}

TEST_CASE("an actor waiting for a message that never comes is reported as a deadlock") {
  // Same cause as above: the deadlock is only noticed at the horizon.
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("lonely", "h1", [] {
      Inbox<int> own("lonely");
      own.claim();
      (void)own.receive();
    });
    kernel.spawn("done", "h2", [] { Kernel::sleep_until(2 * day); });
  });
  require_clean_exit(outcome);
  INFO(outcome.message);
  CHECK(outcome.status == "error");
  CHECK(contains(outcome.message, "deadlock at 2025-01-03"));
  CHECK(contains(outcome.message, "lonely"));
}

TEST_CASE("an exception thrown inside an actor becomes a RunError naming the actor") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("thrower", "h1", [] {
      Kernel::sleep_until(2 * day);
      throw std::runtime_error("boom in the model");
    });
    // Another actor blocked for ever: it is stopped, not reported as a deadlock.
    kernel.spawn("bystander", "h2", [] {
      Inbox<int> own("bystander");
      own.claim();
      (void)own.receive();
      trace("bystander received");
    });
    kernel.spawn("later", "h2", [] {
      Kernel::sleep_until(5 * day);
      trace("later ran");  // the run stops at the failure
    });
  });
  require_clean_exit(outcome);  // the process did not abort
  INFO(outcome.message);
  CHECK(outcome.status == "error");
  CHECK(contains(outcome.message, "error in actor 'thrower'"));
  CHECK(contains(outcome.message, "t=172800"));
  CHECK(contains(outcome.message, "boom in the model"));
  CHECK_FALSE(contains(outcome.message, "deadlock"));
  CHECK(outcome.trace.empty());
  CHECK(outcome.destroyed);
}

TEST_CASE("a model error inside an actor becomes a RunError with its message") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("model", "h1", [] { throw ModelError("share outside (0, 1]"); });
  });
  require_clean_exit(outcome);
  CHECK(outcome.status == "error");
  CHECK(contains(outcome.message, "error in actor 'model' at t=0: share outside (0, 1]"));
}

TEST_CASE("only the first of two failing actors is reported") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("first", "h1", [] {
      Kernel::sleep_until(1.0);
      throw std::runtime_error("first failure");
    });
    kernel.spawn("second", "h2", [] {
      Kernel::sleep_until(2.0);
      throw std::runtime_error("second failure");
    });
  });
  require_clean_exit(outcome);
  CHECK(outcome.status == "error");
  CHECK(contains(outcome.message, "'first'"));
  CHECK(contains(outcome.message, "first failure"));
  CHECK_FALSE(contains(outcome.message, "second failure"));
}

TEST_CASE("a thrown value that is not a std::exception becomes a RunError") {
  // The actor guard catches std::exception only; anything else reaches SimGrid, which aborts
  // the process instead of ending the run with a RunError.
  const Outcome outcome =
      simulate_in_child([](Kernel& kernel) { kernel.spawn("odd", "h1", [] { throw 42; }); });
  require_clean_exit(outcome);
  CHECK(outcome.status == "error");
  CHECK(contains(outcome.message, "'odd'"));
}

TEST_CASE("an actor asking to sleep past the horizon ends the run at once with a RunError") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("sleeper", "h1", [] {
      Kernel::sleep_until(horizon + day);
      trace("sleeper woke");
    });
    kernel.spawn("punctual", "h2", [] {
      Kernel::sleep_until(horizon - day);
      trace(at("punctual woke"));
    });
  });
  require_clean_exit(outcome);
  INFO(outcome.message);
  CHECK(outcome.status == "error");
  CHECK(contains(outcome.message, "past its horizon"));
  CHECK(contains(outcome.message, "2025-01-11"));
  CHECK(contains(outcome.message, "sleeper"));
  CHECK_FALSE(contains(outcome.message, "punctual"));
  // The request itself fails, at t=0: nobody keeps simulating a run that is already broken.
  CHECK(contains(outcome.message, "at t=0"));
  CHECK(outcome.trace.empty());
  CHECK(outcome.destroyed);
}

TEST_CASE("an actor waiting for a message past the horizon ends the run with a RunError") {
  const Outcome outcome = simulate_in_child([](Kernel& kernel) {
    kernel.spawn("patient", "h1", [] {
      Inbox<int> own("patient");
      own.claim();
      (void)own.receive_until(horizon + 5 * day);
    });
  });
  require_clean_exit(outcome);
  INFO(outcome.message);
  CHECK(outcome.status == "error");
  CHECK(contains(outcome.message, "past its horizon"));
  CHECK(contains(outcome.message, "patient"));
}

TEST_CASE("a second kernel in the same process is refused") {
  const Outcome outcome = simulate_in_child([](Kernel&) {
    try {
      Kernel second(calendar, horizon, {"x"}, KernelOptions{});
      trace("second kernel created");
    } catch (const RunError& error) {
      trace(std::string("refused: ") + error.what());
    }
  });
  require_clean_exit(outcome);
  CHECK(outcome.status == "ok");
  CHECK(outcome.trace ==
        std::vector<std::string>{"refused: only one simulation kernel may exist per process"});
}

TEST_CASE("the event log rejects time going backwards") {
  EventLog log(calendar, nullptr);
  log.emit(10.0, "a", "");
  log.emit(10.0, "b", "");  // the same time is fine
  CHECK_THROWS_AS(log.emit(9.999, "c", ""), ModelError);
  CHECK(log.count() == 2);
  try {
    log.emit(5.0, "late", "agent");
    FAIL("no error for an event in the past");
  } catch (const ModelError& error) {
    CHECK(contains(error.what(), "time went backwards"));
    CHECK(contains(error.what(), "'late'"));
  }
  log.emit(11.0, "d", "");  // a refused event does not poison the log
  CHECK(log.count() == 3);
}

TEST_CASE("event log lines have the canonical key order and a SHA-256 of the written bytes") {
  std::ostringstream out;
  EventLog log(calendar, &out);
  std::vector<std::uint64_t> observed;
  log.subscribe([&observed](const Event& event) { observed.push_back(event.seq); });

  nlohmann::ordered_json fields;
  fields["zeta"] = 1;
  fields["alpha"] = "x";
  const Event& first = log.emit(1.5 * day, "bid_submitted", "kt", fields);
  CHECK(first.seq == 0);
  CHECK(first.date == "2025-01-02");
  log.emit(2 * day, "round_failed", "");
  nlohmann::ordered_json nested;
  nested["list"] = {1, 2};
  nested["ratio"] = 0.25;
  log.emit(2 * day, "note", "gov", nested);

  const std::string expected =
      R"({"seq":0,"time":129600.0,"date":"2025-01-02","type":"bid_submitted","agent":"kt",)"
      R"("zeta":1,"alpha":"x"})"
      "\n"
      R"({"seq":1,"time":172800.0,"date":"2025-01-03","type":"round_failed","agent":""})"
      "\n"
      R"({"seq":2,"time":172800.0,"date":"2025-01-03","type":"note","agent":"gov",)"
      R"("list":[1,2],"ratio":0.25})"
      "\n";
  CHECK(out.str() == expected);
  CHECK(log.count() == 3);
  CHECK(observed == std::vector<std::uint64_t>{0, 1, 2});
  CHECK(log.sha256() == sha256_hex(out.str()));

  // Hashing does not depend on having a stream to write to.
  EventLog silent(calendar, nullptr);
  silent.emit(1.5 * day, "bid_submitted", "kt", fields);
  silent.emit(2 * day, "round_failed", "");
  silent.emit(2 * day, "note", "gov", nested);
  CHECK(silent.sha256() == log.sha256());
}

TEST_CASE("an empty event log hashes to the SHA-256 of nothing") {
  EventLog log(calendar, nullptr);
  CHECK(log.sha256() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("to_line writes an event without its trailing newline") {
  Event event;
  event.seq = 7;
  event.time = 0;
  event.date = "2025-01-01";
  event.type = "simulation_started";
  event.fields = nlohmann::ordered_json::object();
  CHECK(EventLog::to_line(event) ==
        R"({"seq":7,"time":0.0,"date":"2025-01-01","type":"simulation_started","agent":""})");
}
