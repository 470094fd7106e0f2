#include "auth/secret_box.h"

#include <sodium.h>

#include "core/base64.h"

namespace coffer::auth {

SecretBox::SecretBox(const std::vector<unsigned char>& master_key, const char (&purpose)[9]) {
  static_assert(crypto_kdf_KEYBYTES == 32 && crypto_secretbox_KEYBYTES == 32);
  if (sodium_init() < 0) std::abort();
  crypto_kdf_derive_from_key(key_.data(), key_.size(), 1, purpose, master_key.data());
}

std::string SecretBox::seal(const std::vector<unsigned char>& plaintext) const {
  std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plaintext.size());
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES, plaintext.data(),
                        plaintext.size(), out.data(), key_.data());
  return base64_encode(out, Base64::kStandard);
}

Result<std::vector<unsigned char>> SecretBox::open(std::string_view sealed) const {
  const auto decoded = base64_decode(sealed, Base64::kStandard);
  if (!decoded || decoded->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Status(Errc::kCorruption, "a sealed secret is malformed");
  }
  const auto* raw = reinterpret_cast<const unsigned char*>(decoded->data());
  const size_t len = decoded->size();
  std::vector<unsigned char> plain(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES);
  if (crypto_secretbox_open_easy(plain.data(), raw + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, raw, key_.data()) != 0) {
    return Status(Errc::kCorruption, "a sealed secret failed authentication");
  }
  return plain;
}

}  // namespace coffer::auth
