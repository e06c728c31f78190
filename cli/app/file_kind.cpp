#include "app/file_kind.hpp"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/output.hpp"
#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab::app {
namespace fs = std::filesystem;
namespace {

/// The kind a JSON document says it is: its "format", else the keys only one kind has.
FileKind kind_of_document(const nlohmann::json& document) {
  if (!document.is_object()) return FileKind::unknown;
  if (const auto format = document.find("format");
      format != document.end() && format->is_string()) {
    const std::string name = format->get<std::string>();
    const auto kind = name.substr(0, name.find('/'));
    if (kind == "tenderlab-scenario") return FileKind::scenario;
    if (kind == "tenderlab-study") return FileKind::study;
    if (kind == "tenderlab-manifest") return FileKind::manifest;
    if (kind == "tenderlab-summary") return FileKind::summary;
    if (kind == "tenderlab-compare") return FileKind::comparison;
  }
  if (document.contains("base") && document.contains("factors")) return FileKind::study;
  if (document.contains("scenario_sha256") && document.contains("event_log_sha256"))
    return FileKind::manifest;
  if (document.contains("agents") && document.contains("calls")) return FileKind::scenario;
  return FileKind::unknown;
}

std::string what_it_is(FileKind kind, const std::string& path) {
  switch (kind) {
    case FileKind::scenario:
      return "a scenario file; run it with `tenderlab run " + path + "`";
    case FileKind::study:
      return "a study file; run it with `tenderlab study " + path + "`";
    case FileKind::manifest:
      return "a run's manifest.json; re-run it with `tenderlab replay " + path + "`";
    case FileKind::summary:
      return "a run's summary.json (its KPIs); `tenderlab report " +
             fs::path(path).parent_path().string() + " --html FILE` shows the run";
    case FileKind::comparison:
      return "a comparison written by `tenderlab compare --json`; `tenderlab report " + path +
             " --html FILE` shows it";
    case FileKind::event_log:
      return "a run's event log; `tenderlab diff` compares two of them";
    case FileKind::results_database:
      return "a study's results database; `tenderlab report STUDY --db " + path +
             "` analyses it, `tenderlab export " + path + "` writes it as CSV";
    case FileKind::run_folder:
      return "a run folder; `tenderlab replay " + (fs::path(path) / "manifest.json").string() +
             "` re-runs it, `tenderlab report " + path + " --html FILE` shows it";
    case FileKind::unknown:
      break;
  }
  return "";
}

const char* wanted_description(FileKind kind) {
  switch (kind) {
    case FileKind::scenario:
      return "a scenario file";
    case FileKind::study:
      return "a study file";
    case FileKind::manifest:
      return "a run's manifest.json";
    default:
      return "another file";
  }
}

}  // namespace

FileKind sniff_file_kind(const std::string& path) {
  std::error_code code;
  const auto status = fs::status(path, code);
  if (code) return FileKind::unknown;
  if (fs::is_directory(status))
    return fs::is_regular_file(fs::path(path) / "manifest.json", code) ? FileKind::run_folder
                                                                       : FileKind::unknown;
  if (!fs::is_regular_file(status)) return FileKind::unknown;
  try {
    const std::string bytes = read_input_file(path);
    if (bytes.rfind(std::string("SQLite format 3\0", 16), 0) == 0)
      return FileKind::results_database;
    const auto document = nlohmann::json::parse(bytes, nullptr, false);
    if (!document.is_discarded()) return kind_of_document(document);
    // An event log is JSON Lines: the whole is not one document, its first line is an event.
    const auto first = nlohmann::json::parse(bytes.substr(0, bytes.find('\n')), nullptr, false);
    if (first.is_object() && first.contains("seq") && first.contains("type"))
      return FileKind::event_log;
  } catch (const std::exception&) {
  }
  return FileKind::unknown;
}

std::optional<InputError> wrong_kind_error(const std::string& path, FileKind wanted) {
  const FileKind kind = sniff_file_kind(path);
  if (kind == FileKind::unknown || kind == wanted) return std::nullopt;
  return InputError({InputProblem{path, "", wanted_description(wanted), what_it_is(kind, path)}});
}

void print_load_error(const InputError& error, const std::string& path, FileKind wanted) {
  if (const auto other = wrong_kind_error(path, wanted))
    print_input_error(*other);
  else
    print_input_error(error);
}

}  // namespace tenderlab::app
