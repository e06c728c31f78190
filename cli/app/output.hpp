#pragma once
// How the commands report bad input and write JSON side files, in one place so every command
// speaks the same way.
#include <string>

#include <nlohmann/json.hpp>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab::app {

/// "error: <file>: <pointer>: expected ..., found ..." for one problem; a count and one line per
/// problem otherwise. On stderr.
void print_input_error(const InputError& error);

/// Writes `data` as indented JSON; throws std::runtime_error when the file cannot be written.
void write_json_file(const std::string& path, const nlohmann::ordered_json& data);

}  // namespace tenderlab::app
