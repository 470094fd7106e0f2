#include "auth/secret_box.h"

#include <sodium.h>

#include <cstring>

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
  std::string encoded(sodium_base64_ENCODED_LEN(out.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), out.data(), out.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

Result<std::vector<unsigned char>> SecretBox::open(std::string_view sealed) const {
  std::vector<unsigned char> raw(sealed.size());
  size_t len = 0;
  if (sodium_base642bin(raw.data(), raw.size(), sealed.data(), sealed.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Status(Errc::kCorruption, "a sealed secret is malformed");
  }
  std::vector<unsigned char> plain(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES);
  if (crypto_secretbox_open_easy(plain.data(), raw.data() + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, raw.data(), key_.data()) != 0) {
    return Status(Errc::kCorruption, "a sealed secret failed authentication");
  }
  return plain;
}

}  // namespace coffer::auth
