#include "auth/token_signer.h"

#include <sodium.h>

#include <array>
#include <boost/json.hpp>
#include <cstdlib>

#include "core/base64.h"

namespace coffer::auth {
namespace {

constexpr int64_t kClockSkewSeconds = 60;
// Verified tokens remembered per process; past this many the memory starts over (a token is
// then verified again on its next use, nothing more).
constexpr size_t kVerifiedTokensKept = 8192;
// Generations beyond this are not ours (a rotation a second for 30,000 years).
constexpr int64_t kMaxGeneration = int64_t{1} << 40;

std::string b64url(std::string_view s) { return base64_encode(s, Base64::kUrlSafe); }

bool b64url_decode(std::string_view in, std::string& out) {
  auto decoded = base64_decode(in, Base64::kUrlSafe);
  if (!decoded) return false;
  out = std::move(*decoded);
  return true;
}

Status bad(std::string_view why) { return Status(Errc::kUnauthenticated, std::string(why)); }

// The generation a key id names: the digits before its '.'; 0 when it names none.
int64_t generation_of(std::string_view kid) {
  const size_t dot = kid.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot > 13) return 0;
  int64_t g = 0;
  for (char c : kid.substr(0, dot)) {
    if (c < '0' || c > '9') return 0;
    g = g * 10 + (c - '0');
  }
  return g <= kMaxGeneration ? g : 0;
}

// The claims of a token whose signature and header were checked.
Result<AccessClaims> read_claims(std::string_view claims_b64, int64_t now_unix) {
  std::string claims_json;
  if (!b64url_decode(claims_b64, claims_json)) return bad("malformed token");
  boost::system::error_code ec;
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
  if (out.issued_at > now_unix + kClockSkewSeconds) return bad("token not yet valid");
  if (nbf && (!nbf->is_int64() || nbf->as_int64() > now_unix + kClockSkewSeconds)) {
    return bad("token not yet valid");
  }
  return out;
}

}  // namespace

struct TokenSigner::KeyPair {
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_key{};
  std::string key_id;

  ~KeyPair() { sodium_memzero(secret_key.data(), secret_key.size()); }
};

TokenSigner::TokenSigner(const std::vector<unsigned char>& master_key, int64_t ttl_seconds)
    : master_key_(master_key), ttl_seconds_(ttl_seconds) {
  static_assert(crypto_kdf_KEYBYTES == 32 && crypto_sign_SEEDBYTES == 32);
  if (sodium_init() < 0 || master_key_.size() != crypto_kdf_KEYBYTES) std::abort();
}

TokenSigner::~TokenSigner() { sodium_memzero(master_key_.data(), master_key_.size()); }

TokenSigner::TokenSigner(TokenSigner&& other) noexcept
    : master_key_(std::move(other.master_key_)),
      ttl_seconds_(other.ttl_seconds_),
      keys_(std::move(other.keys_)),
      verified_(std::move(other.verified_)) {}

const TokenSigner::KeyPair& TokenSigner::keys(int64_t generation) const {
  std::lock_guard lock(mu_);
  auto& slot = keys_[generation];
  if (!slot) {
    auto pair = std::make_unique<KeyPair>();
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    crypto_kdf_derive_from_key(seed.data(), seed.size(), static_cast<uint64_t>(generation),
                               "cofferAT", master_key_.data());
    crypto_sign_seed_keypair(pair->public_key.data(), pair->secret_key.data(), seed.data());
    sodium_memzero(seed.data(), seed.size());
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), pair->public_key.data(), pair->public_key.size());
    pair->key_id = std::to_string(generation) + "." +
                   base64_encode(std::span(digest.data(), 6), Base64::kUrlSafe);
    slot = std::move(pair);
  }
  return *slot;
}

std::string TokenSigner::key_id(int64_t generation) const { return keys(generation).key_id; }

std::string TokenSigner::issue(int64_t user_id, int64_t session_id, int64_t now_unix,
                               int64_t generation) const {
  const KeyPair& key = keys(generation);
  boost::json::object header{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", key.key_id}};
  boost::json::object claims{{"sub", std::to_string(user_id)},
                             {"sid", session_id},
                             {"iat", now_unix},
                             {"nbf", now_unix},
                             {"exp", now_unix + ttl_seconds_}};
  std::string signing_input =
      b64url(boost::json::serialize(header)) + "." + b64url(boost::json::serialize(claims));
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size(), key.secret_key.data());
  return signing_input + "." + base64_encode(signature, Base64::kUrlSafe);
}

Result<AccessClaims> TokenSigner::verify(
    std::string_view token, int64_t now_unix,
    const std::function<bool(int64_t generation)>& accepted) const {
  if (token.size() > 4096) return bad("token too long");
  std::optional<AccessClaims> known;
  {
    std::lock_guard lock(mu_);
    if (auto it = verified_.find(std::string(token)); it != verified_.end()) known = it->second;
  }
  if (known) {
    if (known->expires_at <= now_unix) return bad("token expired");
    if (!accepted(known->generation)) return bad("the token's signing key is retired");
    return *known;
  }
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return bad("malformed token");
  }
  // The header names the key; it is read before the signature is checked, so it decides
  // nothing but which of our keys to check with: EdDSA only, a generation we accept, the
  // fingerprint of the key we derive for it.
  std::string header_json;
  if (!b64url_decode(token.substr(0, dot1), header_json)) return bad("malformed token");
  boost::system::error_code ec;
  auto header = boost::json::parse(header_json, ec);
  if (ec || !header.is_object()) return bad("malformed token header");
  const auto* alg = header.as_object().if_contains("alg");
  const auto* kid = header.as_object().if_contains("kid");
  if (!alg || !alg->is_string() || alg->as_string() != "EdDSA") return bad("unsupported algorithm");
  if (!kid || !kid->is_string()) return bad("unknown key id");
  const int64_t generation = generation_of(kid->as_string());
  if (generation == 0 || !accepted(generation)) return bad("unknown or retired key id");
  const KeyPair& key = keys(generation);
  if (kid->as_string() != key.key_id) return bad("unknown key id");
  std::string signature;
  if (!b64url_decode(token.substr(dot2 + 1), signature) || signature.size() != crypto_sign_BYTES) {
    return bad("malformed token signature");
  }
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                  reinterpret_cast<const unsigned char*>(token.data()), dot2,
                                  key.public_key.data()) != 0) {
    return bad("bad token signature");
  }
  auto claims = read_claims(token.substr(dot1 + 1, dot2 - dot1 - 1), now_unix);
  COFFER_RETURN_IF_ERROR(claims);
  claims->generation = generation;
  if (claims->expires_at <= now_unix) return bad("token expired");
  std::lock_guard lock(mu_);
  if (verified_.size() >= kVerifiedTokensKept) verified_.clear();
  verified_.emplace(std::string(token), *claims);
  return claims;
}

boost::json::object TokenSigner::public_jwk(int64_t generation) const {
  const KeyPair& key = keys(generation);
  return boost::json::object{{"kty", "OKP"},
                             {"crv", "Ed25519"},
                             {"x", base64_encode(key.public_key, Base64::kUrlSafe)},
                             {"kid", key.key_id},
                             {"alg", "EdDSA"},
                             {"use", "sig"}};
}

}  // namespace coffer::auth
