#include "core/sha1.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "core/hex.h"

namespace coffer {

struct Sha1::Ctx {
  Ctx() : md(EVP_MD_CTX_new()) {}
  ~Ctx() { EVP_MD_CTX_free(md); }
  EVP_MD_CTX* md;
};

// OpenSSL failing to hash memory is not a recoverable condition, hence abort().
Sha1::Sha1() : ctx_(std::make_unique<Ctx>()) {
  if (ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, EVP_sha1(), nullptr) != 1) std::abort();
}

Sha1::~Sha1() = default;

void Sha1::update(std::span<const std::byte> data) {
  if (data.empty()) return;
  if (EVP_DigestUpdate(ctx_->md, data.data(), data.size()) != 1) std::abort();
}

std::string Sha1::finish_hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx_->md, digest, &size) != 1) std::abort();
  return to_hex(std::span<const uint8_t>(digest, size));
}

}  // namespace coffer
