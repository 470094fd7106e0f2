#include "auth/token_signer.h"

#include "auth/base64url.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

namespace coffer::auth {
namespace {

constexpr int64_t kClockSkewSeconds = 60;

std::string b64url(std::string_view s) {
  return base64url(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

bool b64url_decode(std::string_view in, std::string& out) {
  out.resize(in.size());
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return false;
  }
  out.resize(len);
  return true;
}

std::array<unsigned char, 32> hmac_sha256(const std::vector<unsigned char>& key,
                                          std::string_view data) {
  std::array<unsigned char, 32> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
  return mac;
}

Status bad(std::string_view why) { return Status(Errc::kUnauthenticated, std::string(why)); }

}  // namespace

TokenSigner::TokenSigner(std::string key_id, std::vector<unsigned char> key, int64_t ttl_seconds)
    : key_id_(std::move(key_id)), key_(std::move(key)), ttl_seconds_(ttl_seconds) {}

TokenSigner TokenSigner::from_master_key(std::vector<unsigned char> key, int64_t ttl_seconds) {
  auto digest = hmac_sha256(key, "coffer key id");
  return TokenSigner(base64url(digest.data(), 6), std::move(key), ttl_seconds);
}

std::string TokenSigner::issue(int64_t user_id, int64_t session_id, int64_t now_unix) const {
  boost::json::object header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key_id_}};
  boost::json::object claims{{"sub", std::to_string(user_id)},
                             {"sid", session_id},
                             {"iat", now_unix},
                             {"nbf", now_unix},
                             {"exp", now_unix + ttl_seconds_}};
  std::string signing_input =
      b64url(boost::json::serialize(header)) + "." + b64url(boost::json::serialize(claims));
  auto mac = hmac_sha256(key_, signing_input);
  return signing_input + "." + base64url(mac.data(), mac.size());
}

Result<AccessClaims> TokenSigner::verify(std::string_view token, int64_t now_unix) const {
  if (token.size() > 4096) return bad("token too long");
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return bad("malformed token");
  }
  std::string signature;
  if (!b64url_decode(token.substr(dot2 + 1), signature) || signature.size() != 32) {
    return bad("malformed token signature");
  }
  auto expected = hmac_sha256(key_, token.substr(0, dot2));
  if (CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) != 0) {
    return bad("bad token signature");
  }
  // The signature is ours; still check the header so a token is only ever read as HS256.
  std::string header_json, claims_json;
  if (!b64url_decode(token.substr(0, dot1), header_json) ||
      !b64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1), claims_json)) {
    return bad("malformed token");
  }
  boost::system::error_code ec;
  auto header = boost::json::parse(header_json, ec);
  if (ec || !header.is_object()) return bad("malformed token header");
  const auto* alg = header.as_object().if_contains("alg");
  const auto* kid = header.as_object().if_contains("kid");
  if (!alg || !alg->is_string() || alg->as_string() != "HS256") return bad("unsupported algorithm");
  if (!kid || !kid->is_string() || kid->as_string() != key_id_) return bad("unknown key id");
  auto claims = boost::json::parse(claims_json, ec);
  if (ec || !claims.is_object()) return bad("malformed token claims");
  const auto& c = claims.as_object();
  const auto* sub = c.if_contains("sub");
  const auto* exp = c.if_contains("exp");
  const auto* iat = c.if_contains("iat");
  const auto* sid = c.if_contains("sid");
  const auto* nbf = c.if_contains("nbf");
  if (!sub || !sub->is_string() || !exp || !exp->is_int64() || !iat || !iat->is_int64() || !sid ||
      !sid->is_int64()) {
    return bad("incomplete token claims");
  }
  AccessClaims out;
  try {
    out.user_id = std::stoll(std::string(sub->as_string()));
  } catch (...) {
    return bad("bad token subject");
  }
  out.session_id = sid->as_int64();
  out.issued_at = iat->as_int64();
  out.expires_at = exp->as_int64();
  if (out.expires_at <= now_unix) return bad("token expired");
  if (out.issued_at > now_unix + kClockSkewSeconds) return bad("token not yet valid");
  if (nbf && (!nbf->is_int64() || nbf->as_int64() > now_unix + kClockSkewSeconds)) {
    return bad("token not yet valid");
  }
  return out;
}

}  // namespace coffer::auth
