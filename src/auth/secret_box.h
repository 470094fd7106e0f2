#pragma once
// Authenticated encryption of small secrets kept in the metadata database (TOTP seeds), so a
// copy of the database alone does not reveal them. XSalsa20-Poly1305 (libsodium secretbox)
// under a key derived from the server key for one purpose.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coffer::auth {

class SecretBox {
 public:
  // Derives the box key for `purpose` (8 characters, libsodium KDF context) from `master_key`.
  SecretBox(const std::vector<unsigned char>& master_key, const char (&purpose)[9]);

  // base64(nonce || ciphertext).
  std::string seal(const std::vector<unsigned char>& plaintext) const;
  // Errors: kCorruption (not ours, or tampered with).
  Result<std::vector<unsigned char>> open(std::string_view sealed) const;

 private:
  std::array<unsigned char, 32> key_{};
};

}  // namespace coffer::auth
