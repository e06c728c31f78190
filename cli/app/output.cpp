#include "app/output.hpp"

#include <fstream>
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
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data.dump(2) << "\n";
  out.flush();
  if (!out) throw std::runtime_error(path + ": cannot write");
}

}  // namespace tenderlab::app
