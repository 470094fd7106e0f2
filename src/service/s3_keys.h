#pragma once
// Access keys of the S3-compatible API: an access key id (public, "CK…") and a secret access
// key that clients sign requests with (SigV4). Unlike an API token's, the secret cannot be kept
// as a hash, since the server signs with it too: it is sealed (auth::SecretBox, purpose
// "cofferS3") under the server key, so a copy of the database alone does not reveal it.
//
// A key holds the scopes of API tokens and acts for its user with at most what the user's role
// grants now. Creating and revoking are audited ("auth.s3_key_create", "auth.s3_key_revoke").
// Checks are remembered in AuthService's cache: a revocation here, and every change that
// AuthService or AdminService makes to an account, stops the key at once on this node; on
// other nodes within AuthOptions::auth_cache_max_age.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/secret_box.h"
#include "core/account.h"
#include "core/status.h"
#include "meta/s3_key_store.h"
#include "service/auth_service.h"

namespace coffer::service {

// A new key: the secret is returned here once and never again by the API.
struct CreatedS3Key {
  S3Key key;
  std::string secret_access_key;
};

// What the S3 listener verifies a request with, and who the request then acts as.
struct S3Credential {
  int64_t key_id = 0;
  std::string secret_access_key;
  Principal principal;  // user, role, the key's scopes (capped by the role), s3_key_id
};

class S3Keys {
 public:
  // At most this many live keys per user.
  static constexpr size_t kMaxActiveKeys = 50;
  // What a key made without scopes holds.
  static constexpr uint32_t kDefaultScopes = kScopeFilesRead | kScopeFilesWrite;

  // `store` and `auth` must outlive this; `box` seals the secrets (the same server key and
  // purpose on every node).
  S3Keys(meta::S3KeyStore& store, AuthService& auth, auth::SecretBox box);
  S3Keys(const S3Keys&) = delete;
  S3Keys& operator=(const S3Keys&) = delete;

  // `scopes` 0 means kDefaultScopes. Errors: kInvalidArgument (name, scopes), kForbidden (a
  // scope `who` does not hold), kLimitExceeded (kMaxActiveKeys live keys already).
  Result<CreatedS3Key> create(const Principal& who, std::string_view name, uint32_t scopes,
                              const RequestOrigin& origin);
  // The caller's live keys, oldest first, without secrets.
  Result<std::vector<S3Key>> list(const Principal& who);
  // Errors: kNotFound (no live key of the caller's with that id).
  Status revoke(const Principal& who, int64_t key_id, const RequestOrigin& origin);

  // The key with this access key id and who it acts for, for every S3 request: from memory
  // when checked within the auth cache's bound, else from the database (recording the use at
  // most once a minute). Errors: kNotFound (malformed, unknown or revoked id; the user
  // disabled, locked or deleted), kCorruption (the secret does not open: another server key).
  Result<S3Credential> authenticate(std::string_view access_key_id);

 private:
  meta::S3KeyStore& store_;
  AuthService& auth_;
  AuthCache& cache_;
  auth::SecretBox box_;
};

// Random key material from libsodium: "CK" and 18 of [A-Z0-9] (93 bits), and 40 characters of
// [A-Za-z0-9+/] (30 bytes, base64 without padding).
std::string new_s3_access_key_id();
std::string new_s3_secret_access_key();
// Whether `id` has the shape new_s3_access_key_id makes.
bool is_s3_access_key_id(std::string_view id);

}  // namespace coffer::service
