#pragma once
// How the commands report bad input and write JSON side files, in one place so every command
// speaks the same way.
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/output_directory.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

namespace tenderlab::app {

/// "error: <file>: <pointer>: expected ..., found ..." for one problem; a count and one line per
/// problem otherwise. On stderr.
void print_input_error(const InputError& error);

/// Runs `body` (which returns an exit code) and turns what it throws into the commands' usual
/// report: bad input is listed with its file and JSON Pointer (exit 2), an output path that may
/// not be written is one "error:" line (exit 2), anything else is one "error:" line with
/// `other_errors` as the exit code.
template <class Body>
int report_errors(int other_errors, Body&& body) {
  try {
    return body();
  } catch (const InputError& error) {
    print_input_error(error);
    return 2;
  } catch (const analysis::OutputExists& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return other_errors;
  }
}

/// The --set arguments ("POINTER=VALUE", in order) as scenario changes. Throws InputError.
std::vector<ScenarioChange> scenario_changes(const std::vector<std::string>& arguments);

/// Writes `data` as indented JSON, all at once (analysis::write_file_atomically): the file is
/// new or replaces a regular file, never a link, a folder or a device. `-` is standard output.
/// Throws analysis::OutputExists for such a path, std::runtime_error when the file cannot be
/// written.
void write_json_file(const std::string& path, const nlohmann::ordered_json& data);
/// The check write_json_file makes, for a command to refuse a bad --json before it runs anything.
void check_json_file_target(const std::string& path);
/// For `--json -`: standard output carries the JSON alone, so the text a command prints there
/// (a timeline, a report, a table) is dropped from now on; write_json_file("-") still writes.
void keep_stdout_for_json();
/// Writes `text` to standard output (file descriptor 1, past std::cout). A reader that went away
/// (EPIPE) ends the writing quietly; other errors throw std::runtime_error.
void write_stdout(const std::string& text);

/// Each KPI once, the same way in `compare` and `diff`. A run reports the KPIs of the first call
/// announced twice, with and without its id as prefix. With a single call among the names, the
/// short names stay (`awarded`) and `note` says so; with several, the prefixed ones
/// (`spc.awarded`, `gpu-lot.awarded`), which say whose they are.
std::vector<std::string> unique_kpi_names(const std::set<std::string>& names, std::string& note);

/// A variant's (a scenario file with `extends`) resolved document, hashed: SHA-256 of its compact
/// JSON with sorted keys. The variant file's own hash does not change when a file it extends
/// does; this one does, so `replay` can tell that what it would simulate is not what ran.
std::string resolved_scenario_sha256(const nlohmann::json& resolved);

}  // namespace tenderlab::app
