#pragma once
// How the commands report bad input and write JSON side files, in one place so every command
// speaks the same way.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/output_directory.hpp"
#include "tenderlab/engine/input_error.hpp"

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

/// Writes `data` as indented JSON, all at once (analysis::write_file_atomically): the file is
/// new or replaces a regular file, never a link, a folder or a device. Throws
/// analysis::OutputExists for such a path, std::runtime_error when the file cannot be written.
void write_json_file(const std::string& path, const nlohmann::ordered_json& data);
/// The check write_json_file makes, for a command to refuse a bad --json before it runs anything.
void check_json_file_target(const std::string& path);

}  // namespace tenderlab::app
