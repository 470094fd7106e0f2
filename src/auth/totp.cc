#include "auth/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

namespace coffer::auth {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string base32_encode(const std::vector<unsigned char>& bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::vector<unsigned char>> base32_decode(std::string_view text) {
  std::vector<unsigned char> out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char raw : text) {
    if (raw == '=' || raw == ' ' || raw == '-') continue;
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    const size_t value = kAlphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<unsigned char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

std::string hotp(const std::vector<unsigned char>& secret, uint64_t counter, int digits) {
  unsigned char message[8];
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message, sizeof message, mac,
       &mac_len);
  // Dynamic truncation, RFC 4226 §5.3.
  const int offset = mac[mac_len - 1] & 0x0f;
  const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                          (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

std::optional<int64_t> totp_match(const std::vector<unsigned char>& secret, std::string_view code,
                                  int64_t now_unix, int64_t last_used_step, int digits) {
  if (code.size() != static_cast<size_t>(digits)) return std::nullopt;
  const int64_t current = now_unix / kTotpStepSeconds;
  std::optional<int64_t> matched;
  // Every candidate is computed and compared, matched or not, so timing says nothing.
  for (int64_t step = current - 1; step <= current + 1; ++step) {
    const std::string expected = hotp(secret, static_cast<uint64_t>(step), digits);
    const bool equal = CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0;
    if (equal && step > last_used_step && !matched) matched = step;
  }
  return matched;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        const std::vector<unsigned char>& secret) {
  return "otpauth://totp/" + percent_encode(issuer) + ":" + percent_encode(account) +
         "?secret=" + base32_encode(secret) + "&issuer=" + percent_encode(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace coffer::auth
