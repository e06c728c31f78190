#pragma once
// Errors in user input: every problem names the file, the JSON Pointer of the bad value, what was
// expected and what was found. All problems of one file are collected into one exception.
#include <exception>
#include <string>
#include <vector>

namespace tenderlab {

struct InputProblem {
  std::string file;
  std::string pointer;  ///< RFC 6901 JSON Pointer; "" for the whole document
  std::string expected;
  std::string found;
  std::string to_string() const;  ///< "file: /a/b: expected X, found Y"
};

/// Bad input (a scenario, a study file, a manifest). The message is built once, on construction,
/// so what() never allocates.
class InputError : public std::exception {
 public:
  explicit InputError(std::vector<InputProblem> problems);
  const char* what() const noexcept override { return message_.c_str(); }
  const std::vector<InputProblem>& problems() const { return problems_; }

 private:
  std::vector<InputProblem> problems_;
  std::string message_;
};

/// A scenario file that does not validate.
class ScenarioError : public InputError {
 public:
  using InputError::InputError;
};

/// A broken invariant inside the model: a bug, reported with context and kept in release builds.
class ModelError : public std::exception {
 public:
  explicit ModelError(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

}  // namespace tenderlab
