#pragma once
// Outputs appear whole or not at all: files are written into a staging folder beside the target
// and the folder is renamed into place only when everything is written. Output paths come from
// the command line and from input files, so nothing here follows a symbolic link at the target,
// reuses a name another process could have planted, or replaces a folder tenderlab did not write.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace tenderlab::analysis {

/// The target cannot take the outputs: a non-empty folder without --force, a folder --force may
/// not replace (not a run folder of tenderlab), a file, a symbolic link, or a path that names no
/// folder ("", ".", "..", "/"). Bad input: nothing was touched.
class OutputExists : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Every file `tenderlab run` writes into a run folder. --force replaces a folder only when it
/// holds a tenderlab manifest.json and nothing but these files (add a new output file here).
const std::vector<std::string>& run_folder_files();

/// `out` as the folder it names: "out/" and "out//" are "out". Throws OutputExists for a path
/// that names no folder of its own ("", ".", "..", "/", "a/..").
std::filesystem::path output_folder_path(const std::string& out);

/// Why `folder` is not a run folder that tenderlab wrote (a non-empty reason), or "" when it is:
/// a manifest.json that parses as a tenderlab manifest, and only regular files of
/// run_folder_files().
std::string not_a_run_folder(const std::filesystem::path& folder);

class StagedDirectory {
 public:
  /// Checks the target now (so a run that cannot be saved does not start) and creates the
  /// staging folder, under a fresh random name beside the target. The target may be missing, an
  /// empty folder, or, with `force`, a run folder of tenderlab (not_a_run_folder). Throws
  /// OutputExists, or std::runtime_error when folders cannot be made.
  StagedDirectory(const std::filesystem::path& target, bool force);
  ~StagedDirectory();  ///< removes the staging folder unless committed
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;

  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& staging() const { return staging_; }
  std::filesystem::path file(const std::string& name) const { return staging_ / name; }
  /// Writes a whole file into the staging folder (throws on I/O errors).
  void write(const std::string& name, const std::string& content) const;
  /// Moves the staging folder to the target, checking the target again first: a missing target
  /// is never overwritten by one that appeared meanwhile, an empty folder is replaced only while
  /// it is empty, and a run folder (with force) is swapped atomically with the new one, then
  /// deleted. Throws OutputExists when the target changed into something it may not replace.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path staging_;
  bool force_;
  bool committed_ = false;
};

/// One output file written beside its target under a fresh temporary name (never a name another
/// process could have planted) and renamed over the target only by commit(), so a reader never
/// sees half a file and an error leaves the old one. For writers that need a path of their own
/// (a library that opens the file itself) and for several files committed together.
class StagedFile {
 public:
  /// Checks the target (check_file_target) and creates the empty temporary file. Throws
  /// OutputExists for a target that may not be written, std::runtime_error when the temporary
  /// file cannot be created.
  explicit StagedFile(const std::filesystem::path& target);
  ~StagedFile();  ///< removes the temporary file unless committed
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  const std::filesystem::path& target() const { return target_; }
  /// The temporary file, to be written by whatever produces the content.
  const std::filesystem::path& path() const { return path_; }
  /// Replaces the temporary file's content with `content` (throws on I/O errors).
  void write(const std::string& content) const;
  /// Flushes the temporary file to disk and renames it over the target, checking the target
  /// again first: a link, a folder or a device that appeared meanwhile is never replaced (throws
  /// OutputExists). Throws std::runtime_error when the file cannot be flushed or renamed.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path path_;
  bool committed_ = false;
};

/// Writes `content` to the file `target` all at once: into a fresh temporary file beside it,
/// then renamed over it, so a reader never sees half a file and a failure leaves the old one.
/// The target may be missing or a regular file; a symbolic link, a folder, a device or a FIFO is
/// refused with OutputExists (a rename would replace it rather than write through it). Throws
/// std::runtime_error when the file cannot be written.
void write_file_atomically(const std::filesystem::path& target, const std::string& content);

/// The check write_file_atomically makes before writing, for commands that want to refuse a bad
/// target before long work. Throws OutputExists.
void check_file_target(const std::filesystem::path& target);

}  // namespace tenderlab::analysis
