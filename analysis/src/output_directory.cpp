#include "tenderlab/analysis/output_directory.hpp"

#include <fcntl.h>
#include <stdio.h>   // renameat2, RENAME_NOREPLACE, RENAME_EXCHANGE
#include <stdlib.h>  // mkdtemp, mkostemp
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab::analysis {
namespace fs = std::filesystem;

namespace {

enum class Kind { missing, directory, regular, symlink, other };

/// What is at `path` itself (a symbolic link is reported as one, not followed), and in words.
Kind kind_at(const fs::path& path, std::string* description = nullptr) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Kind::missing;
    throw std::runtime_error(path.string() + ": cannot be examined: " + std::strerror(errno));
  }
  struct Known {
    bool matches;
    Kind kind;
    const char* words;
  };
  const mode_t mode = info.st_mode;
  for (const Known& known : {Known{S_ISDIR(mode), Kind::directory, "a folder"},
                             Known{S_ISREG(mode), Kind::regular, "a file"},
                             Known{S_ISLNK(mode), Kind::symlink, "a symbolic link"},
                             Known{S_ISFIFO(mode), Kind::other, "a named pipe (FIFO)"},
                             Known{S_ISCHR(mode), Kind::other, "a character device"},
                             Known{S_ISBLK(mode), Kind::other, "a block device"},
                             Known{S_ISSOCK(mode), Kind::other, "a socket"}}) {
    if (!known.matches) continue;
    if (description) *description = known.words;
    return known.kind;
  }
  if (description) *description = "something that is neither a file nor a folder";
  return Kind::other;
}

bool empty_directory(const fs::path& path) {
  std::error_code code;
  const bool empty = fs::is_empty(path, code);
  if (code) throw std::runtime_error(path.string() + ": cannot list the folder: " + code.message());
  return empty;
}

/// The permissions a plain mkdir or open would give: mkdtemp and mkstemp make private files.
mode_t default_mode(mode_t full) {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return full & ~mask;
}

fs::path parent_of(const fs::path& path) {
  fs::path parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

/// A new folder beside `target`, named ".<name>.<purpose>-XXXXXX" with a random suffix: never a
/// name another process could have planted (mkdtemp creates it or fails).
fs::path fresh_folder_beside(const fs::path& target, const std::string& purpose) {
  std::string pattern =
      (parent_of(target) / ("." + target.filename().string() + "." + purpose + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error(pattern.substr(0, pattern.size() - 6) +
                             "XXXXXX: cannot create the folder: " + std::strerror(errno));
  ::chmod(pattern.c_str(), default_mode(0777));
  return pattern;
}

std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

[[noreturn]] void refuse_kind(const fs::path& target, const std::string& found) {
  std::string message = target.string() + ": expected a folder for the outputs, found " + found;
  if (found == "a symbolic link")
    message += " (outputs are never written through a link: give the folder it points to)";
  throw OutputExists(message);
}

[[noreturn]] void refuse_force(const fs::path& target, const std::string& reason) {
  throw OutputExists(target.string() +
                     ": --force replaces only a run folder that tenderlab wrote, but " + reason +
                     "; nothing was touched (choose another --out, or move the folder away)");
}

}  // namespace

const std::vector<std::string>& run_folder_files() {
  // scenario.json: only in runs rebuilt from a results database (`run --from`).
  static const std::vector<std::string> files = {
      "events.jsonl", "tenders.csv",  "timeseries.csv", "gpus_online.csv",
      "compute.csv",  "summary.json", "manifest.json",  "scenario.json"};
  return files;
}

fs::path output_folder_path(const std::string& out) {
  fs::path path = fs::path(out).lexically_normal();
  if (!path.empty() && !path.has_filename()) path = path.parent_path();  // "out/" names "out"
  const fs::path name = path.filename();
  if (path.empty() || name.empty() || name == "." || name == "..")
    throw OutputExists(quoted(out) +
                       ": expected a path that names an output folder, such as runs/x, found " +
                       (out.empty() ? std::string("an empty path")
                                    : "a path to " + (name.empty() ? std::string("the root")
                                                                   : "\"" + name.string() + "\"")));
  return path;
}

std::string not_a_run_folder(const fs::path& folder) {
  std::error_code code;
  bool has_manifest = false;
  const auto& known = run_folder_files();
  for (fs::directory_iterator it(folder, code), end; !code && it != end; it.increment(code)) {
    const std::string name = it->path().filename().string();
    if (std::find(known.begin(), known.end(), name) == known.end())
      return "it holds " + quoted(name) + ", which tenderlab does not write";
    if (!fs::is_regular_file(it->symlink_status(code)))
      return "its " + quoted(name) + " is not a regular file";
    if (name == "manifest.json") has_manifest = true;
  }
  if (code) return "it cannot be listed (" + code.message() + ")";
  if (!has_manifest) return "it holds no manifest.json";
  nlohmann::json manifest;
  try {
    manifest = read_json_file(folder / "manifest.json");
  } catch (const InputError& error) {
    return "its manifest.json cannot be read (" + error.problems().front().found + ")";
  }
  const auto format = manifest.is_object() ? manifest.find("format") : manifest.end();
  if (!manifest.is_object() || format == manifest.end() || !format->is_string() ||
      *format != "tenderlab-manifest/1" || !manifest.contains("tenderlab_version") ||
      !manifest.at("tenderlab_version").is_string())
    return "its manifest.json is not a tenderlab manifest (format \"tenderlab-manifest/1\" and "
           "tenderlab_version)";
  return "";
}

StagedDirectory::StagedDirectory(const fs::path& target, bool force)
    : target_(target), force_(force) {
  std::string found;
  switch (kind_at(target_, &found)) {
    case Kind::missing:
      break;
    case Kind::directory:
      if (empty_directory(target_)) break;
      if (!force_)
        throw OutputExists(target_.string() +
                           ": the output folder is not empty (use --force to replace it)");
      if (const std::string reason = not_a_run_folder(target_); !reason.empty())
        refuse_force(target_, reason);
      break;
    default:
      refuse_kind(target_, found);
  }
  const fs::path parent = parent_of(target_);
  std::error_code code;
  fs::create_directories(parent, code);
  if (code)
    throw std::runtime_error(parent.string() + ": cannot create the folder: " + code.message());
  staging_ = fresh_folder_beside(target_, "staging");
}

StagedDirectory::~StagedDirectory() {
  if (committed_ || staging_.empty()) return;
  std::error_code code;
  fs::remove_all(staging_, code);
}

void StagedDirectory::write(const std::string& name, const std::string& content) const {
  const fs::path path = staging_ / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.flush();
  if (!out) throw std::runtime_error(path.string() + ": cannot write");
}

void StagedDirectory::commit() {
  // The target is checked again: the run took time, and what is there now is what a rename
  // would replace.
  std::string found;
  const Kind kind = kind_at(target_, &found);
  auto cannot = [&](const char* what) {
    const int error = errno;
    return std::runtime_error(target_.string() + ": " + what + ": " + std::strerror(error));
  };
  if (kind == Kind::missing) {
    // RENAME_NOREPLACE: a folder that appeared while the run ran is never overwritten.
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) != 0) {
      if (errno == EEXIST)
        throw OutputExists(target_.string() + ": appeared while the run ran; it was left as it is");
      if (errno != EINVAL && errno != ENOSYS) throw cannot("cannot move the outputs into place");
      // A file system without RENAME_NOREPLACE: a plain rename still never replaces a non-empty
      // folder.
      if (::rename(staging_.c_str(), target_.c_str()) != 0)
        throw cannot("cannot move the outputs into place");
    }
    committed_ = true;
    return;
  }
  if (kind != Kind::directory) refuse_kind(target_, found);
  if (empty_directory(target_)) {
    // rename() replaces an empty folder atomically, and fails if it is no longer empty.
    if (::rename(staging_.c_str(), target_.c_str()) != 0) {
      if (errno == ENOTEMPTY || errno == EEXIST)
        throw OutputExists(target_.string() +
                           ": was filled while the run ran; it was left as it is");
      throw cannot("cannot move the outputs into place");
    }
    committed_ = true;
    return;
  }
  if (!force_)
    throw OutputExists(target_.string() +
                       ": the output folder is not empty (use --force to replace it)");
  if (const std::string reason = not_a_run_folder(target_); !reason.empty())
    refuse_force(target_, reason);
  // Swap the old run and the new one in one step, so the target is never missing nor a mixture
  // of two runs; the staging path then holds the old run, which is deleted.
  if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
    committed_ = true;
    std::error_code code;
    fs::remove_all(staging_, code);
    return;
  }
  if (errno != EINVAL && errno != ENOSYS) throw cannot("cannot replace the folder");
  // A file system without RENAME_EXCHANGE: move the old run aside into a fresh empty folder
  // (rename replaces it), move the new one in, then delete the old one.
  const fs::path aside = fresh_folder_beside(target_, "previous");
  if (::rename(target_.c_str(), aside.c_str()) != 0) {
    const auto error = cannot("cannot replace the folder");
    ::rmdir(aside.c_str());
    throw error;
  }
  if (::rename(staging_.c_str(), target_.c_str()) != 0) {
    const auto error = cannot("cannot move the outputs into place");
    ::rename(aside.c_str(), target_.c_str());
    throw error;
  }
  committed_ = true;
  std::error_code code;
  fs::remove_all(aside, code);
}

void check_file_target(const fs::path& target) {
  const fs::path name = target.filename();
  if (name.empty() || name == "." || name == "..")
    throw OutputExists(target.string() + ": expected the path of a file to write, found " +
                       (name.empty() ? "a folder path" : "\"" + name.string() + "\""));
  std::string found;
  const Kind kind = kind_at(target, &found);
  if (kind == Kind::missing || kind == Kind::regular) return;
  std::string message =
      target.string() + ": expected a new file or a regular file to replace, found " + found;
  if (kind == Kind::symlink)
    message += " (outputs are never written through a link: give the file it points to)";
  throw OutputExists(message);
}

namespace {

std::runtime_error cannot_write(const fs::path& target, int error) {
  return std::runtime_error(target.string() + ": cannot write (" + std::strerror(error) + ")");
}

/// Writes all of `content` to `fd`; the errno of the failure, or 0.
int write_all(int fd, const std::string& content) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t wrote = ::write(fd, data, left);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return wrote < 0 ? errno : EIO;
    data += wrote;
    left -= static_cast<std::size_t>(wrote);
  }
  return 0;
}

}  // namespace

StagedFile::StagedFile(const fs::path& target) : target_(target) {
  check_file_target(target_);
  std::string temporary =
      (parent_of(target_) / ("." + target_.filename().string() + ".partial-XXXXXX")).string();
  const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) throw cannot_write(target_, errno);
  ::fchmod(fd, default_mode(0666));
  ::close(fd);
  path_ = temporary;
}

StagedFile::~StagedFile() {
  if (!committed_) ::unlink(path_.c_str());
}

void StagedFile::write(const std::string& content) const {
  const int fd = ::open(path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw cannot_write(target_, errno);
  const int error = write_all(fd, content);
  if (::close(fd) != 0 && error == 0) throw cannot_write(target_, errno);
  if (error != 0) throw cannot_write(target_, error);
}

void StagedFile::commit() {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw cannot_write(target_, errno);
  const int error = ::fsync(fd) != 0 ? errno : 0;
  ::close(fd);
  if (error != 0) throw cannot_write(target_, error);
  check_file_target(target_);
  if (::rename(path_.c_str(), target_.c_str()) != 0) throw cannot_write(target_, errno);
  committed_ = true;
}

void write_file_atomically(const fs::path& target, const std::string& content) {
  StagedFile file(target);
  file.write(content);
  file.commit();
}

}  // namespace tenderlab::analysis
