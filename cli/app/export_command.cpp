// `tenderlab export DATABASE [--out DIR]`: runs.csv and effects.csv of a study's results.
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "tenderlab/analysis/output_directory.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/study_export.hpp"

namespace tenderlab::app {
namespace {
namespace fs = std::filesystem;

/// The folder the tables go to: made when missing (its parent must exist); an existing path must
/// be a folder itself, not a link to one.
void prepare_folder(const fs::path& folder) {
  struct stat info {};
  if (::lstat(folder.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return;
    throw analysis::OutputExists(
        folder.string() + ": expected a folder for the exported tables, " +
        (S_ISLNK(info.st_mode) ? "found a symbolic link" : "found something else"));
  }
  std::error_code code;
  if (!fs::create_directory(folder, code) && code)
    throw std::runtime_error(folder.string() + ": cannot create the folder: " + code.message());
}

}  // namespace

int export_command(const std::string& database, const std::string& out) {
  return report_errors(bad_input, [&]() -> int {
    try {
      analysis::ResultsStore store(database, analysis::ResultsStore::OpenMode::existing_only);
      // Beside the database by default, named after it, as its kept event logs are.
      fs::path beside = database;
      beside.replace_extension();
      const fs::path folder =
          out.empty() ? fs::path(beside.string() + "-export") : analysis::output_folder_path(out);
      // Both tables are built before anything is written.
      const std::string runs = analysis::runs_csv(store);
      const std::string effects = analysis::effects_csv(store);
      prepare_folder(folder);
      analysis::write_file_atomically(folder / "runs.csv", runs);
      analysis::write_file_atomically(folder / "effects.csv", effects);
      std::cout << "exported " << database << " to " << (folder / "runs.csv").string() << " and "
                << (folder / "effects.csv").string() << "\n";
      return ok;
    } catch (const analysis::DatabaseRefusedError& error) {
      std::cerr << "error: " << error.what() << "\n";
      return bad_input;
    } catch (const analysis::ResultsStoreError& error) {
      std::cerr << "error: " << error.what() << "\n";
      return bad_input;
    }
  });
}

}  // namespace tenderlab::app
