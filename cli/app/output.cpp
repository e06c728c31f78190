#include "app/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>

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

}  // namespace tenderlab::app
