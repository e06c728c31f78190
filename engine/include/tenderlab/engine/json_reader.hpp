#pragma once
// Strict, error-collecting access to JSON input. Readers record every problem (with the file and
// the JSON Pointer of the value) instead of stopping at the first, and objects report keys that
// nobody asked for, so typos never pass silently.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/engine/calendar.hpp"
#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

/// Throws an InputError naming the file unless it exists and is a regular file (not a directory,
/// a FIFO or a device), without opening it: opening a FIFO would wait for a writer.
void require_regular_file(const std::filesystem::path& path);
/// The bytes of an input file. Refuses, with an InputError naming the file, anything but a
/// regular file (a directory, a FIFO, a device: checked before reading, so a FIFO never blocks)
/// and files over 64 MiB (counted while reading, whatever size the file claims).
std::string read_input_file(const std::filesystem::path& path);
/// Reads a JSON file (read_input_file) with clear errors for a missing file, an oversized file,
/// NUL bytes, invalid UTF-8, excessive nesting and syntax errors (with line and column). Throws
/// InputError.
nlohmann::json read_json_file(const std::filesystem::path& path);
/// The same for text already in memory; `origin` names it in messages.
nlohmann::json parse_json_text(const std::string& text, const std::string& origin);

/// Whether `name` (a scenario's or a study's) can name a file or folder as it is: 1 to 100 of
/// a-z, 0-9, '.', '_' and '-', the first a letter or a digit, so never "", "." or ".." and never
/// a path. The schemas' pattern: ^[a-z0-9][a-z0-9._-]{0,99}$.
bool is_safe_name(const std::string& name);
/// What is_safe_name expects, for messages.
extern const char* const safe_name_expected;

/// "/a/b" + "c" -> "/a/b/c", escaping '~' and '/' as RFC 6901 requires.
std::string pointer_append(const std::string& pointer, const std::string& token);
std::string pointer_append(const std::string& pointer, std::size_t index);
/// A short description of a value for "found ..." in messages.
std::string describe_json(const nlohmann::json& value);

/// Where problems are collected while reading one document.
class ProblemSink {
 public:
  explicit ProblemSink(std::string file) : file_(std::move(file)) {}
  void add(const std::string& pointer, std::string expected, std::string found);
  const std::string& file() const { return file_; }
  bool empty() const { return problems_.empty(); }
  std::size_t count() const { return problems_.size(); }
  std::vector<InputProblem> take() { return std::move(problems_); }

 private:
  std::string file_;
  std::vector<InputProblem> problems_;
};

/// A view of one JSON object. Every accessor marks its key as known; finish() reports the rest.
class ObjectReader {
 public:
  /// Reports a problem if `value` is not an object; the reader then yields defaults.
  ObjectReader(const nlohmann::json& value, std::string pointer, ProblemSink& sink);
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;
  ~ObjectReader() = default;

  bool valid() const { return valid_; }
  const std::string& pointer() const { return pointer_; }
  std::string pointer_of(const std::string& key) const { return pointer_append(pointer_, key); }
  bool has(const std::string& key);
  /// Raw access (marks the key known); nullptr when absent.
  const nlohmann::json* get(const std::string& key);

  double number(const std::string& key, double fallback,
                double min = -std::numeric_limits<double>::infinity(),
                double max = std::numeric_limits<double>::infinity(), bool required = false);
  std::optional<double> optional_number(const std::string& key, double min, double max);
  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max, bool required = false);
  bool boolean(const std::string& key, bool fallback);
  std::string string(const std::string& key, std::string fallback, bool required = false);
  /// A date "YYYY-MM-DD".
  std::optional<Date> date(const std::string& key, bool required);
  /// A string that must be one of `choices`; returns the index of the match.
  std::optional<std::size_t> choice(const std::string& key, const std::vector<std::string>& choices,
                                    bool required);
  /// Calls `each(element, pointer)` for every element of an array (missing: nothing).
  void array(const std::string& key,
             const std::function<void(const nlohmann::json&, const std::string&)>& each,
             bool required = false);
  /// Reports every key of the object that no accessor asked for.
  void finish();

 private:
  const nlohmann::json* value_;
  std::string pointer_;
  ProblemSink& sink_;
  bool valid_;
  std::set<std::string> known_;
};

}  // namespace tenderlab
