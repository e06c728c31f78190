#pragma once
// What kind of tenderlab file a path is, so a command given the wrong kind (a study where a
// scenario is expected, a run folder where a manifest is) names the kind and the command that
// reads it, instead of listing every key the wrong file lacks.
#include <optional>
#include <string>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab::app {

enum class FileKind {
  unknown,  ///< not one tenderlab writes or reads, or cannot be read
  scenario,
  study,
  manifest,
  summary,
  comparison,
  event_log,
  results_database,
  run_folder,
};

/// Looks at `path` without blocking: only a regular file is opened (at most 64 MiB read), a
/// folder counts as a run folder when it holds a manifest.json. Never throws.
FileKind sniff_file_kind(const std::string& path);

/// When `path` is a tenderlab file of another kind than `wanted`: one problem saying what it is
/// and which command reads it ("expected a scenario file, found a study file; run it with
/// `tenderlab study FILE`"). Empty when it is of the wanted kind or of no kind known.
std::optional<InputError> wrong_kind_error(const std::string& path, FileKind wanted);

/// print_input_error for a file that did not load as `wanted`: when it is a tenderlab file of
/// another kind, that one line instead of the problems.
void print_load_error(const InputError& error, const std::string& path, FileKind wanted);

}  // namespace tenderlab::app
