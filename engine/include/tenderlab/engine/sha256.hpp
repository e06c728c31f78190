#pragma once
// SHA-256 digests for manifests (scenario and event-log hashes), as lowercase hex.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace tenderlab {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  /// The digest of everything so far; the object can keep receiving data afterwards.
  std::string hex_digest() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view bytes);
/// The digest of an input file (at most 64 MiB, a regular file: see read_input_file). Throws
/// InputError if the file cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace tenderlab
