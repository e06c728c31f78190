#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

std::string InputProblem::to_string() const {
  std::string text = file.empty() ? std::string("<input>") : file;
  text += ": ";
  text += pointer.empty() ? std::string("(document)") : pointer;
  text += ": expected " + expected + ", found " + found;
  return text;
}

namespace {
std::string join_problems(const std::vector<InputProblem>& problems) {
  std::string message;
  for (const auto& problem : problems) {
    if (!message.empty()) message += '\n';
    message += problem.to_string();
  }
  return message;
}
}  // namespace

InputError::InputError(std::vector<InputProblem> problems)
    : problems_(std::move(problems)), message_(join_problems(problems_)) {}

}  // namespace tenderlab
