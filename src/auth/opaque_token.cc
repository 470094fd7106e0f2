#include "auth/opaque_token.h"

#include <sodium.h>

#include <array>

#include "core/hex.h"

namespace coffer::auth {

std::string new_opaque_token(std::string_view prefix) {
  std::array<unsigned char, 32> raw;
  randombytes_buf(raw.data(), raw.size());
  char encoded[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw.data(), raw.size());
  return std::string(prefix) + encoded;
}

std::string opaque_token_hash(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  return to_hex(std::span<const uint8_t>(digest));
}

}  // namespace coffer::auth
