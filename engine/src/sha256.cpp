#include "tenderlab/engine/sha256.hpp"

#include <openssl/evp.h>

#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab {

struct Sha256::Impl {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(context); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  if (!impl_->context || EVP_DigestInit_ex(impl_->context, EVP_sha256(), nullptr) != 1)
    throw ModelError("SHA-256: cannot initialise the digest");
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes) {
  if (EVP_DigestUpdate(impl_->context, bytes.data(), bytes.size()) != 1)
    throw ModelError("SHA-256: update failed");
}

std::string Sha256::hex_digest() const {
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const bool ok = copy && EVP_MD_CTX_copy_ex(copy, impl_->context) == 1 &&
                  EVP_DigestFinal_ex(copy, digest, &length) == 1;
  EVP_MD_CTX_free(copy);
  if (!ok) throw ModelError("SHA-256: finalisation failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < length; ++i) {
    text += hex[digest[i] >> 4];
    text += hex[digest[i] & 15];
  }
  return text;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 digest;
  digest.update(bytes);
  return digest.hex_digest();
}

std::string sha256_file(const std::filesystem::path& path) {
  // Through the same guarded reader as the JSON inputs: a FIFO or a device is refused, not read
  // forever.
  return sha256_hex(read_input_file(path));
}

}  // namespace tenderlab
