#include "app/output.hpp"

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

void write_json_file(const std::string& path, const nlohmann::ordered_json& data) {
  analysis::write_file_atomically(path, data.dump(2) + "\n");
}

void check_json_file_target(const std::string& path) {
  analysis::check_file_target(path);
}

}  // namespace tenderlab::app
