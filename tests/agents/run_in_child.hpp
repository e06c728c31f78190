#pragma once
// Runs a scenario the way the tests of whole runs need it: in a forked child (SimGrid allows one
// engine per process), its event log handed back through a pipe and read back into events.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tenderlab/agents/simulation.hpp"
#include "tenderlab/engine/event_dispatcher.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab::test {

/// Runs the scenario in a forked child; returns its events.jsonl text.
inline std::string run_in_child(const Scenario& scenario) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::ostringstream log;
    int code = 0;
    try {
      SimulationOptions options;
      options.seed = scenario.seed;
#if defined(__SANITIZE_ADDRESS__)
      options.simgrid_args.push_back("--cfg=contexts/factory:thread");
#endif
      simulate(scenario, options, &log, {});
    } catch (const std::exception& error) {
      log.str(std::string("error: ") + error.what() + "\n");
      code = 1;
    }
    const std::string text = log.str();
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) _exit(90);
      done += static_cast<std::size_t>(n);
    }
    _exit(code);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO(text.substr(0, 2000));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return text;
}

inline std::vector<Event> parse(const std::string& text) {
  std::vector<Event> events;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::ordered_json::parse(line);
    Event e{j.at("seq"),  j.at("time"),  j.at("date"),
            j.at("type"), j.at("agent"), nlohmann::ordered_json::object()};
    for (const auto& [key, value] : j.items())
      if (key != "seq" && key != "time" && key != "date" && key != "type" && key != "agent")
        e.fields[key] = value;
    events.push_back(std::move(e));
  }
  return events;
}

/// The events of type E in a log, each with its struct.
template <class E>
std::vector<std::pair<Event, E>> all_of(const std::vector<Event>& log) {
  std::vector<std::pair<Event, E>> out;
  for (const Event& event : log)
    if (event.type == E::type) out.emplace_back(event, decode_event<E>(event));
  return out;
}

}  // namespace tenderlab::test
