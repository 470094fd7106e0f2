#include "core/digest.h"

#include <openssl/evp.h>

#include <array>
#include <cstdlib>

#include "core/hex.h"

namespace coffer {

struct Digest::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

// OpenSSL failing to hash memory is not a recoverable condition, hence abort().
Digest::Digest(Kind kind) : ctx_(std::make_unique<Ctx>()) {
  const EVP_MD* md = kind == Kind::kMd5    ? EVP_md5()
                     : kind == Kind::kSha1 ? EVP_sha1()
                                           : EVP_sha256();
  if (ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, md, nullptr) != 1) std::abort();
}

Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::update(std::span<const std::byte> data) {
  if (data.empty()) return;
  if (EVP_DigestUpdate(ctx_->md, data.data(), data.size()) != 1) std::abort();
}

std::string Digest::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->md, out.data(), &len) != 1) std::abort();
  return {reinterpret_cast<const char*>(out.data()), len};
}

std::string Digest::finish_hex() { return to_hex(finish()); }

}  // namespace coffer
