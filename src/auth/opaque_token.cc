#include "auth/opaque_token.h"

#include <sodium.h>

#include <array>

#include "core/base64.h"
#include "core/hex.h"

namespace coffer::auth {

std::string new_opaque_token(std::string_view prefix) {
  std::array<unsigned char, 32> raw;
  randombytes_buf(raw.data(), raw.size());
  std::string token = std::string(prefix) + base64_encode(raw, Base64::kUrlSafe);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

std::string opaque_token_hash(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  return to_hex(std::span<const uint8_t>(digest));
}

}  // namespace coffer::auth
