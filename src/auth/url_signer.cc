#include "auth/url_signer.h"

#include <sodium.h>

#include <charconv>
#include <cstdlib>

#include "core/base64.h"

namespace coffer::auth {
namespace {

constexpr size_t kMacChars = 43;  // base64url of 32 bytes, unpadded
constexpr size_t kMaxTokenChars = 160;

// A canonical decimal: digits only, no sign, no leading zero, fits int64.
bool parse_field(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) return false;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size() && out >= 0;
}

}  // namespace

UrlSigner::UrlSigner(const std::vector<unsigned char>& master_key, const char (&purpose)[9]) {
  static_assert(crypto_kdf_KEYBYTES == 32 && crypto_auth_hmacsha256_KEYBYTES == 32);
  if (sodium_init() < 0) std::abort();
  crypto_kdf_derive_from_key(key_.data(), key_.size(), 1, purpose, master_key.data());
}

std::array<unsigned char, 32> UrlSigner::mac(std::string_view signed_part) const {
  std::array<unsigned char, 32> out{};
  crypto_auth_hmacsha256(out.data(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                         signed_part.size(), key_.data());
  return out;
}

std::string UrlSigner::sign(const DownloadGrant& grant) const {
  std::string signed_part = std::to_string(grant.file_id) + "." + std::to_string(grant.version_id) +
                            "." + std::to_string(grant.expires_at) + "." +
                            (grant.inline_disposition ? "i" : "a");
  if (grant.signer_id != 0) signed_part += "." + std::to_string(grant.signer_id);
  auto tag = mac(signed_part);
  return signed_part + "." + base64_encode(tag, Base64::kUrlSafe);
}

Result<DownloadGrant> UrlSigner::verify(std::string_view token, int64_t now_unix) const {
  const Status invalid(Errc::kSignatureInvalid, "the download link is malformed or not signed");
  if (token.size() > kMaxTokenChars) return invalid;
  size_t dot = token.rfind('.');
  if (dot == std::string_view::npos || token.size() - dot - 1 != kMacChars) return invalid;
  std::string_view signed_part = token.substr(0, dot);
  const auto given = base64_decode(token.substr(dot + 1), Base64::kUrlSafe);
  if (!given || given->size() != crypto_auth_hmacsha256_BYTES) return invalid;
  auto expected = mac(signed_part);
  if (crypto_verify_32(expected.data(), reinterpret_cast<const unsigned char*>(given->data())) !=
      0) {
    return invalid;
  }

  // Signed by us: the fields are ours, but parse them strictly all the same.
  DownloadGrant grant;
  std::string_view fields[5];
  size_t count = 0;
  for (std::string_view rest = signed_part;; ++count) {
    if (count == std::size(fields)) return invalid;
    const size_t end = rest.find('.');
    fields[count] = rest.substr(0, end);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  ++count;
  if (count < 4 || !parse_field(fields[0], grant.file_id) ||
      !parse_field(fields[1], grant.version_id) || !parse_field(fields[2], grant.expires_at) ||
      (fields[3] != "a" && fields[3] != "i") ||
      (count == 5 && (!parse_field(fields[4], grant.signer_id) || grant.signer_id == 0))) {
    return invalid;
  }
  grant.inline_disposition = fields[3] == "i";
  if (now_unix >= grant.expires_at) {
    return Status(Errc::kExpired, "the download link has expired");
  }
  return grant;
}

}  // namespace coffer::auth
