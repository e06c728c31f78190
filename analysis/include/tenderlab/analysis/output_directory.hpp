#pragma once
// Outputs appear whole or not at all: files are written into a staging folder beside the target
// and the folder is renamed into place only when everything is written.
#include <filesystem>
#include <string>

namespace tenderlab::analysis {

/// The target is a non-empty folder and --force was not given, or it is not a folder at all.
class OutputExists : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StagedDirectory {
 public:
  /// Checks the target now (so a run that cannot be saved does not start) and creates the
  /// staging folder. Throws OutputExists, or std::runtime_error when folders cannot be made.
  StagedDirectory(std::filesystem::path target, bool force);
  ~StagedDirectory();  ///< removes the staging folder unless committed
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;

  const std::filesystem::path& staging() const { return staging_; }
  std::filesystem::path file(const std::string& name) const { return staging_ / name; }
  /// Writes a whole file into the staging folder (throws on I/O errors).
  void write(const std::string& name, const std::string& content) const;
  /// Renames the staging folder to the target (replacing it when forced).
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path staging_;
  bool force_;
  bool committed_ = false;
};

}  // namespace tenderlab::analysis
