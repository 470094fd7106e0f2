#pragma once
// Short-lived access tokens: compact JWTs (RFC 7519) signed with Ed25519 ("EdDSA", RFC 8037),
// so that anything holding the public keys (GET /.well-known/jwks.json) can check them, and
// only the server can make them.
//
// Keys come in generations (1, 2, 3 ...). Generation g's key pair is derived from the server's
// master key (auth/key_file.h) for this one purpose: every node of a cluster, which shares
// the master key, derives the same keys, and no private key is stored anywhere. Which
// generations are in use is the service's business (service/token_key_ring.h); a token names
// its generation in its key id ("kid": "<g>.<fingerprint>") and verification asks whether that
// generation is still accepted. Verification accepts exactly EdDSA with a kid this server
// derives; "none", HS256 and every other algorithm are refused.

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace coffer::auth {

struct AccessClaims {
  int64_t user_id = 0;
  int64_t session_id = 0;  // the sign-in session the token belongs to ("sid")
  int64_t issued_at = 0;   // Unix seconds
  int64_t expires_at = 0;  // Unix seconds
  int64_t generation = 0;  // of the key that signed it
};

class TokenSigner {
 public:
  // `master_key`: the server's 32-byte master key.
  TokenSigner(const std::vector<unsigned char>& master_key, int64_t ttl_seconds);
  ~TokenSigner();
  TokenSigner(TokenSigner&& other) noexcept;
  TokenSigner(const TokenSigner&) = delete;
  TokenSigner& operator=(const TokenSigner&) = delete;

  // A token for `session_id` of `user_id`, valid for ttl_seconds from `now_unix`, signed with
  // the key of `generation` (>= 1).
  std::string issue(int64_t user_id, int64_t session_id, int64_t now_unix,
                    int64_t generation) const;

  // The claims of a well-formed, correctly signed, unexpired token whose key generation
  // `accepted` allows. Errors: kUnauthenticated for anything else. A token verified once is
  // remembered (bounded), so its signature is checked once per process, not per request;
  // expiry and `accepted` are checked every time.
  Result<AccessClaims> verify(std::string_view token, int64_t now_unix,
                              const std::function<bool(int64_t generation)>& accepted) const;

  // The public key of `generation` as a JSON Web Key (RFC 8037): kty OKP, crv Ed25519, x, and
  // kid, alg EdDSA, use sig.
  boost::json::object public_jwk(int64_t generation) const;
  // "<generation>.<fingerprint of its public key>".
  std::string key_id(int64_t generation) const;

  int64_t ttl_seconds() const { return ttl_seconds_; }

 private:
  struct KeyPair;
  // The key pair of `generation`, derived on first use and kept (a few per process).
  const KeyPair& keys(int64_t generation) const;

  std::vector<unsigned char> master_key_;
  int64_t ttl_seconds_;
  mutable std::mutex mu_;
  mutable std::map<int64_t, std::unique_ptr<KeyPair>> keys_;        // guarded by mu_
  mutable std::unordered_map<std::string, AccessClaims> verified_;  // guarded by mu_
};

}  // namespace coffer::auth
