#include "tenderlab/engine/json_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace tenderlab {
namespace {

constexpr std::uintmax_t max_input_bytes = 64u * 1024u * 1024u;
constexpr int max_nesting = 128;

std::string quoted(const std::string& text) {
  constexpr std::size_t shown = 60;
  std::string cut = text.size() > shown ? text.substr(0, shown) + "..." : text;
  return nlohmann::json(cut).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

// The parser itself is iterative, but a document nested thousands deep is never a scenario and
// would make every later recursive walk expensive, so it is rejected before parsing.
std::optional<std::size_t> excessive_nesting_at(const std::string& text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_nesting) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

std::pair<std::size_t, std::size_t> line_and_column(const std::string& text, std::size_t byte) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

/// A SAX pass that records the JSON Pointer of every key repeated in its object: nlohmann_json
/// keeps the last value silently, so `"seed": 7, "seed": 8` would pass as 8. It runs only on
/// documents that parsed, so garbage is still refused at the speed of one parse.
class DuplicateKeyWatcher : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& key) override {
    Frame& top = frames_.back();
    top.key = key;
    if (!top.keys.insert(key).second) duplicates_.push_back(pointer());
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
  const std::vector<std::string>& duplicates() const { return duplicates_; }

 private:
  struct Frame {
    bool object;
    std::set<std::string> keys;
    std::string key;    // the key being read (objects)
    std::size_t index;  // the element being read (arrays)
  };
  bool open(bool object) {
    frames_.push_back(Frame{object, {}, {}, 0});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return value();
  }
  bool value() {  // an element is complete
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    return true;
  }
  std::string pointer() const {
    std::string result;
    for (const auto& frame : frames_)
      result =
          frame.object ? pointer_append(result, frame.key) : pointer_append(result, frame.index);
    return result;
  }
  std::vector<Frame> frames_;
  std::vector<std::string> duplicates_;
};

[[noreturn]] void fail(const std::string& origin, std::string expected, std::string found) {
  throw InputError({InputProblem{origin, "", std::move(expected), std::move(found)}});
}

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& origin) {
  if (text.size() > max_input_bytes)
    fail(origin, "a JSON document of at most 64 MiB", std::to_string(text.size()) + " bytes");
  if (text.size() >= 2) {
    const auto first = static_cast<unsigned char>(text[0]);
    const auto second = static_cast<unsigned char>(text[1]);
    if ((first == 0xFF && second == 0xFE) || (first == 0xFE && second == 0xFF))
      fail(origin, "UTF-8 text", "a UTF-16 byte-order mark");
  }
  // JSON text never holds a NUL byte; refusing it here keeps anything after one from being
  // silently dropped by a reader that stops there.
  if (const auto nul = text.find('\0'); nul != std::string::npos) {
    auto [line, column] = line_and_column(text, nul);
    fail(origin, "UTF-8 JSON text without NUL bytes",
         "a NUL byte at line " + std::to_string(line) + ", column " + std::to_string(column) +
             " (byte offset " + std::to_string(nul) + ")");
  }
  if (auto at = excessive_nesting_at(text)) {
    auto [line, column] = line_and_column(text, *at);
    fail(origin, "arrays and objects nested at most " + std::to_string(max_nesting) + " deep",
         "deeper nesting at line " + std::to_string(line) + ", column " + std::to_string(column));
  }
  try {
    nlohmann::json document = nlohmann::json::parse(text, nullptr, true, /*ignore_comments=*/false);
    DuplicateKeyWatcher watcher;
    nlohmann::json::sax_parse(text, &watcher);
    if (!watcher.duplicates().empty()) {
      std::vector<InputProblem> problems;
      for (const auto& pointer : watcher.duplicates())
        problems.push_back(
            InputProblem{origin, pointer, "a key used once in its object", "the key repeated"});
      throw InputError(std::move(problems));
    }
    return document;
  } catch (const nlohmann::json::parse_error& error) {
    const std::size_t byte = error.byte > 0 ? error.byte - 1 : 0;
    auto [line, column] = line_and_column(text, byte);
    std::string found;
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      found = "an empty file";
    } else if (byte >= text.size()) {
      found = "the end of the file (truncated?)";
    } else {
      const std::string what = error.what();
      const bool bad_utf8 = what.find("UTF-8") != std::string::npos ||
                            what.find("invalid string") != std::string::npos;
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[byte]));
      found = std::string(bad_utf8 ? "invalid text" : "a syntax error") + " at line " +
              std::to_string(line) + ", column " + std::to_string(column) + " (byte " + hex + ")";
    }
    fail(origin, "a valid UTF-8 JSON document", found);
  } catch (const nlohmann::json::exception& error) {
    // Numbers beyond the range of a double (1e400) and similar: still the user's input.
    fail(origin, "a JSON document whose numbers fit a double",
         std::string("an unreadable value (") + error.what() + ")");
  }
}

namespace {

/// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string kind_of_file(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

void require_regular_file(const std::filesystem::path& path) {
  const std::string origin = path.string();
  // Look before opening: opening a FIFO for reading blocks until a writer comes, and a device
  // such as /dev/zero never ends.
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) fail(origin, "an existing file", "no such file");
    fail(origin, "a readable file",
         std::string("a file that cannot be read (") + std::strerror(error) + ")");
  }
  if (!S_ISREG(info.st_mode)) fail(origin, "a regular file", kind_of_file(info.st_mode));
}

std::string read_input_file(const std::filesystem::path& path) {
  const std::string origin = path.string();
  require_regular_file(path);
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) fail(origin, "a readable file", "a file that vanished");
  if (static_cast<std::uintmax_t>(info.st_size) > max_input_bytes)
    fail(origin, "a file of at most 64 MiB", std::to_string(info.st_size) + " bytes");
  // O_NONBLOCK: should the path have been replaced by a FIFO since the look, open does not wait.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0)
    fail(origin, "a readable file",
         std::string("a file that cannot be opened (") + std::strerror(errno) + ")");
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode))
    fail(origin, "a regular file", kind_of_file(info.st_mode));
  // The size is checked again while reading: a file may grow, and some files (in /proc) report
  // a size of 0 whatever they hold.
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      fail(origin, "a readable file", std::string("a read error (") + std::strerror(errno) + ")");
    }
    if (bytes.size() + static_cast<std::size_t>(got) > max_input_bytes)
      fail(origin, "a file of at most 64 MiB", "more than 64 MiB");
    bytes.append(buffer, static_cast<std::size_t>(got));
  }
  return bytes;
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  return parse_json_text(read_input_file(path), path.string());
}

const char* const safe_name_expected =
    "a name of 1 to 100 characters a-z, 0-9, '.', '_' and '-', starting with a letter or a digit";

bool is_safe_name(const std::string& name) {
  constexpr std::size_t longest = 100;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (name.empty() || name.size() > longest || !lower_or_digit(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return lower_or_digit(c) || c == '.' || c == '_' || c == '-'; });
}

std::string pointer_append(const std::string& pointer, const std::string& token) {
  std::string escaped;
  for (char c : token) {
    if (c == '~')
      escaped += "~0";
    else if (c == '/')
      escaped += "~1";
    else
      escaped += c;
  }
  return pointer + "/" + escaped;
}

std::string pointer_append(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string describe_json(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::string:
      return "the string " + quoted(value.get<std::string>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return value.dump();
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    default:
      return "an unsupported value";
  }
}

void ProblemSink::add(const std::string& pointer, std::string expected, std::string found) {
  problems_.push_back(InputProblem{file_, pointer, std::move(expected), std::move(found)});
}

ObjectReader::ObjectReader(const nlohmann::json& value, std::string pointer, ProblemSink& sink)
    : value_(&value), pointer_(std::move(pointer)), sink_(sink), valid_(value.is_object()) {
  if (!valid_) sink_.add(pointer_, "an object", describe_json(value));
}

bool ObjectReader::has(const std::string& key) {
  known_.insert(key);
  return valid_ && value_->contains(key);
}

const nlohmann::json* ObjectReader::get(const std::string& key) {
  known_.insert(key);
  if (!valid_) return nullptr;
  auto it = value_->find(key);
  return it == value_->end() ? nullptr : &*it;
}

namespace {
std::string range_text(double min, double max) {
  auto fmt = [](double v) {
    std::ostringstream out;
    out << v;
    return out.str();
  };
  if (std::isinf(min) && std::isinf(max)) return "a number";
  if (std::isinf(max)) return "a number >= " + fmt(min);
  if (std::isinf(min)) return "a number <= " + fmt(max);
  return "a number in [" + fmt(min) + ", " + fmt(max) + "]";
}
}  // namespace

double ObjectReader::number(const std::string& key, double fallback, double min, double max,
                            bool required) {
  const nlohmann::json* value = get(key);
  if (!value) {
    if (required && valid_) sink_.add(pointer_of(key), range_text(min, max), "nothing (missing)");
    return fallback;
  }
  if (!value->is_number()) {
    sink_.add(pointer_of(key), range_text(min, max), describe_json(*value));
    return fallback;
  }
  const double number = value->get<double>();
  if (!std::isfinite(number) || number < min || number > max) {
    std::string found = describe_json(*value);
    // A share written as a percentage is the likeliest slip with a fraction: say what was meant.
    // From 2 on: 1.3 is more likely a slip of the decimal point than 1.3 %.
    if (min >= 0 && max <= 1 && number >= 2 && number <= 100) {
      std::array<char, 32> fraction{};
      std::snprintf(fraction.data(), fraction.size(), "%.10g", number / 100);
      found += "; shares are fractions: " + value->dump() + " % is " + fraction.data();
    }
    sink_.add(pointer_of(key), range_text(min, max), found);
    return fallback;
  }
  return number;
}

std::optional<double> ObjectReader::optional_number(const std::string& key, double min,
                                                    double max) {
  if (!has(key) || get(key)->is_null()) {
    known_.insert(key);
    return std::nullopt;
  }
  return number(key, 0.0, min, max);
}

std::int64_t ObjectReader::integer(const std::string& key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max, bool required) {
  const std::string expected =
      "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  const nlohmann::json* value = get(key);
  if (!value) {
    if (required && valid_) sink_.add(pointer_of(key), expected, "nothing (missing)");
    return fallback;
  }
  bool whole = value->is_number_integer() || value->is_number_unsigned();
  if (value->is_number_float()) {
    const double d = value->get<double>();
    whole = std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15;
  }
  if (!whole) {
    sink_.add(pointer_of(key), expected, describe_json(*value));
    return fallback;
  }
  if (value->is_number_unsigned() &&
      value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    sink_.add(pointer_of(key), expected, describe_json(*value));
    return fallback;
  }
  const auto number = value->is_number_float() ? static_cast<std::int64_t>(value->get<double>())
                                               : value->get<std::int64_t>();
  if (number < min || number > max) {
    sink_.add(pointer_of(key), expected, describe_json(*value));
    return fallback;
  }
  return number;
}

bool ObjectReader::boolean(const std::string& key, bool fallback) {
  const nlohmann::json* value = get(key);
  if (!value) return fallback;
  if (!value->is_boolean()) {
    sink_.add(pointer_of(key), "true or false", describe_json(*value));
    return fallback;
  }
  return value->get<bool>();
}

std::string ObjectReader::string(const std::string& key, std::string fallback, bool required) {
  const nlohmann::json* value = get(key);
  if (!value) {
    if (required && valid_) sink_.add(pointer_of(key), "a string", "nothing (missing)");
    return fallback;
  }
  if (!value->is_string()) {
    sink_.add(pointer_of(key), "a string", describe_json(*value));
    return fallback;
  }
  return value->get<std::string>();
}

std::optional<Date> ObjectReader::date(const std::string& key, bool required) {
  const nlohmann::json* value = get(key);
  const char* expected = "a date \"YYYY-MM-DD\"";
  if (!value) {
    if (required && valid_) sink_.add(pointer_of(key), expected, "nothing (missing)");
    return std::nullopt;
  }
  if (value->is_string()) {
    if (auto date = Date::parse(value->get<std::string>())) return date;
  }
  sink_.add(pointer_of(key), expected, describe_json(*value));
  return std::nullopt;
}

std::optional<std::size_t> ObjectReader::choice(const std::string& key,
                                                const std::vector<std::string>& choices,
                                                bool required) {
  std::string expected = "one of";
  for (std::size_t i = 0; i < choices.size(); ++i)
    expected += (i ? ", \"" : " \"") + choices[i] + "\"";
  const nlohmann::json* value = get(key);
  if (!value) {
    if (required && valid_) sink_.add(pointer_of(key), expected, "nothing (missing)");
    return std::nullopt;
  }
  if (value->is_string()) {
    for (std::size_t i = 0; i < choices.size(); ++i)
      if (choices[i] == value->get<std::string>()) return i;
  }
  sink_.add(pointer_of(key), expected, describe_json(*value));
  return std::nullopt;
}

void ObjectReader::array(const std::string& key,
                         const std::function<void(const nlohmann::json&, const std::string&)>& each,
                         bool required) {
  const nlohmann::json* value = get(key);
  if (!value) {
    if (required && valid_) sink_.add(pointer_of(key), "an array", "nothing (missing)");
    return;
  }
  if (!value->is_array()) {
    sink_.add(pointer_of(key), "an array", describe_json(*value));
    return;
  }
  for (std::size_t i = 0; i < value->size(); ++i)
    each((*value)[i], pointer_append(pointer_of(key), i));
}

namespace {
/// The known key closest to a misspelt one (edit distance at most 2, or a third of its length
/// for long keys), if any.
std::optional<std::string> nearest_key(const std::string& key, const std::set<std::string>& known) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
      row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  if (key.size() > 64) return std::nullopt;
  const std::size_t limit = std::max<std::size_t>(2, key.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const auto& candidate : known) {  // ordered: ties go to the first in sorted order
    const std::size_t d = distance(key, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}
}  // namespace

/// Keys that earlier versions read and this one does not, with what replaced them, so that an
/// old scenario fails with the way forward rather than a guess at a similar key.
std::optional<std::string> retired_key_note(const std::string& key) {
  if (key == "hurdle_rate")
    return "removed: private valuations discount at /assumptions/risk_free_rate and price risk "
           "through risk_aversion, relative to the equity committed (docs/model/valuation.md)";
  return std::nullopt;
}

void ObjectReader::finish() {
  if (!valid_) return;
  std::string allowed;
  for (const auto& key : known_)
    allowed += (allowed.empty() ? "" : ", ") + key;
  for (const auto& [key, value] : value_->items()) {
    if (known_.count(key) == 0 && key != "$comment") {
      std::string found = "the unknown key " + quoted(key);
      if (auto retired = retired_key_note(key))
        found += " (" + *retired + ")";
      else if (auto near = nearest_key(key, known_))
        found += " (did you mean \"" + *near + "\"?)";
      sink_.add(pointer_of(key), "one of the known keys (" + allowed + ")", found);
    }
  }
}

}  // namespace tenderlab
