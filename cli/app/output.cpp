#include "app/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "tenderlab/engine/sha256.hpp"

namespace tenderlab::app {

void print_input_error(const InputError& error) {
  const auto count = error.problems().size();
  if (count == 1) {
    std::cerr << "error: " << error.problems().front().to_string() << "\n";
    return;
  }
  std::cerr << "error: " << count << " problems\n";
  for (const auto& problem : error.problems())
    std::cerr << "  " << problem.to_string() << "\n";
}

std::vector<ScenarioChange> scenario_changes(const std::vector<std::string>& arguments) {
  std::vector<ScenarioChange> changes;
  for (const auto& argument : arguments)
    changes.push_back(parse_scenario_change(argument, "--set"));
  return changes;
}

void write_json_file(const std::string& path, const nlohmann::ordered_json& data) {
  if (path == "-") {
    write_stdout(data.dump(2) + "\n");
    return;
  }
  analysis::write_file_atomically(path, data.dump(2) + "\n");
}

void check_json_file_target(const std::string& path) {
  if (path == "-") return;
  analysis::check_file_target(path);
}

void keep_stdout_for_json() {
  std::cout.flush();
  // Without a buffer the stream fails every write quietly: nothing reaches file descriptor 1.
  std::cout.rdbuf(nullptr);
}

void write_stdout(const std::string& text) {
  std::cout.flush();
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t written = ::write(STDOUT_FILENO, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) return;  // the reader has gone: nobody is left to read the rest
      throw std::runtime_error(std::string("standard output: cannot write (") +
                               std::strerror(errno) + ")");
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

/// Each KPI once. A run reports the KPIs of the first call announced twice, with and without its
/// id as prefix. With a single call among the names, the short names stay (`awarded`); with
/// several, the prefixed ones (`spc.awarded`, `gpu-lot.awarded`), which say whose they are.
std::vector<std::string> unique_kpi_names(const std::set<std::string>& names, std::string& note) {
  std::set<std::string> prefixes;
  for (const auto& name : names)
    if (const auto dot = name.rfind('.'); dot != std::string::npos)
      prefixes.insert(name.substr(0, dot));
  std::vector<std::string> kept;
  for (const auto& name : names) {
    const auto dot = name.rfind('.');
    if (prefixes.size() == 1) {
      if (dot != std::string::npos && names.count(name.substr(dot + 1))) continue;
    } else if (dot == std::string::npos) {
      bool prefixed = false;
      for (const auto& prefix : prefixes)
        prefixed = prefixed || names.count(prefix + "." + name) > 0;
      if (prefixed) continue;
    }
    kept.push_back(name);
  }
  if (prefixes.size() == 1)
    note =
        "the KPIs of call " + *prefixes.begin() + ", the only call, are shown without its prefix";
  return kept;
}

std::string resolved_scenario_sha256(const nlohmann::json& resolved) {
  return sha256_hex(resolved.dump());
}

}  // namespace tenderlab::app
