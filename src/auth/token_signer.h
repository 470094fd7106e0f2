#pragma once
// Short-lived signed access tokens: compact JWTs (RFC 7519) with HS256 and a key id, so keys
// can rotate later without logging everyone out. Verification accepts exactly HS256 with a
// known key id; "none" and every other algorithm are refused.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coffer::auth {

struct AccessClaims {
  int64_t user_id = 0;
  int64_t session_id = 0;  // the sign-in session the token belongs to ("sid")
  int64_t issued_at = 0;   // Unix seconds
  int64_t expires_at = 0;  // Unix seconds
};

class TokenSigner {
 public:
  // `key` must be at least 32 bytes of secret randomness; `key_id` names it in tokens.
  TokenSigner(std::string key_id, std::vector<unsigned char> key, int64_t ttl_seconds);

  // A signer on the server's master key, with a key id derived from it (a fingerprint that
  // reveals nothing and changes with the key).
  static TokenSigner from_master_key(std::vector<unsigned char> key, int64_t ttl_seconds);

  std::string issue(int64_t user_id, int64_t session_id, int64_t now_unix) const;
  // Errors: kUnauthenticated for anything but a well-formed, correctly signed, unexpired token.
  Result<AccessClaims> verify(std::string_view token, int64_t now_unix) const;
  int64_t ttl_seconds() const { return ttl_seconds_; }

 private:
  std::string key_id_;
  std::vector<unsigned char> key_;
  int64_t ttl_seconds_;
};

}  // namespace coffer::auth
