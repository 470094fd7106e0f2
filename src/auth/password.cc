#include "auth/password.h"

#include <sodium.h>

namespace coffer::auth {
namespace {

constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19 * 1024 * 1024;

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

Result<std::string> hash_password(std::string_view password) {
  if (!sodium_ready()) return Status(Errc::kInternal, "libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status(Errc::kUnavailable, "out of memory while hashing a password");
  }
  return std::string(out);
}

bool verify_password(std::string_view password, const std::string& encoded_hash) {
  if (!sodium_ready()) return false;
  return crypto_pwhash_str_verify(encoded_hash.c_str(), password.data(), password.size()) == 0;
}

void burn_password_check(std::string_view password) {
  // A valid hash of a random password nobody knows, computed once.
  static const std::string kDecoy = [] {
    auto h = hash_password(generate_password(32));
    return h.is_ok() ? *h : std::string();
  }();
  (void)verify_password(password, kDecoy);
}

std::string generate_password(size_t length) {
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  (void)sodium_ready();
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) {
    out += kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))];
  }
  return out;
}

}  // namespace coffer::auth
