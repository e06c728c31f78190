#include "tenderlab/analysis/output_directory.hpp"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace tenderlab::analysis {
namespace fs = std::filesystem;

namespace {
bool non_empty_directory(const fs::path& path) {
  std::error_code code;
  return fs::is_directory(path, code) && !fs::is_empty(path, code);
}
}  // namespace

StagedDirectory::StagedDirectory(fs::path target, bool force)
    : target_(std::move(target)), force_(force) {
  std::error_code code;
  if (fs::exists(target_, code) && !fs::is_directory(target_, code))
    throw OutputExists(target_.string() + ": expected a folder for the outputs, found a file");
  if (non_empty_directory(target_) && !force_)
    throw OutputExists(target_.string() +
                       ": the output folder is not empty (use --force to replace it)");
  fs::path parent = target_.parent_path();
  if (parent.empty()) parent = ".";
  fs::create_directories(parent, code);
  if (code)
    throw std::runtime_error(parent.string() + ": cannot create the folder: " + code.message());
  const std::string name = target_.filename().string();
  staging_ = parent / ("." + name + ".staging-" + std::to_string(::getpid()));
  fs::remove_all(staging_, code);
  if (!fs::create_directory(staging_, code) || code)
    throw std::runtime_error(staging_.string() +
                             ": cannot create the staging folder: " + code.message());
}

StagedDirectory::~StagedDirectory() {
  if (committed_) return;
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
  std::error_code code;
  fs::path previous;
  if (fs::exists(target_, code)) {
    // An empty folder, or a forced replacement: move the old one aside first so that the target
    // is never a mixture of two runs.
    previous = target_;
    previous += ".previous-" + std::to_string(::getpid());
    fs::rename(target_, previous, code);
    if (code)
      throw std::runtime_error(target_.string() + ": cannot replace the folder: " + code.message());
  }
  fs::rename(staging_, target_, code);
  if (code) {
    if (!previous.empty()) fs::rename(previous, target_, code);
    throw std::runtime_error(target_.string() + ": cannot move the outputs into place");
  }
  committed_ = true;
  if (!previous.empty()) fs::remove_all(previous, code);
}

}  // namespace tenderlab::analysis
