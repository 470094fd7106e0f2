#pragma once
// The plain data of accounts beyond the user row: sign-in sessions, personal API tokens, the
// audit trail and who is calling (Principal). No I/O, no database or HTTP types.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace coffer {

// What a credential may do. Sessions (password sign-in) hold every scope their role allows;
// a personal API token holds the scopes it was created with.
enum Scope : uint32_t {
  kScopeFilesRead = 1u << 0,   // "files:read"
  kScopeFilesWrite = 1u << 1,  // "files:write"
  kScopeAdmin = 1u << 2,       // "admin" (admins only)
};
inline constexpr uint32_t kAllScopes = kScopeFilesRead | kScopeFilesWrite | kScopeAdmin;

// "files:read files:write" <-> bits. parse_scope returns nullopt for an unknown name;
// scopes_from_text reads what scopes_text wrote (stored rows) and skips unknown names.
std::string scopes_text(uint32_t scopes);
std::optional<uint32_t> parse_scope(std::string_view name);
uint32_t scopes_from_text(std::string_view text);

// How often a credential's last use is written (API tokens, S3 keys): once a minute is precise
// enough for "last used" and keeps a busy script from turning every read into a write.
inline constexpr Micros kCredentialUseResolution = 60'000'000;

// The authenticated caller of one request.
struct Principal {
  int64_t user_id = 0;
  Role role = Role::kUser;
  uint32_t scopes = 0;
  int64_t session_id = 0;    // a signed-in session (access token), or 0
  int64_t api_token_id = 0;  // a personal API token, or 0
  int64_t s3_key_id = 0;     // an S3 access key (the S3-compatible API), or 0

  bool has(Scope scope) const { return (scopes & scope) != 0; }
};

// One signed-in device: a refresh-token family. Revoking it ends every token of the family.
struct Session {
  int64_t id = 0;
  int64_t user_id = 0;
  Micros created = 0;
  Micros last_used = 0;
  Micros expires = 0;
  std::string ip;
  std::string user_agent;
  std::optional<Micros> revoked;
};

// One generation of the access tokens' signing key (auth/token_signer.h): it began to sign at
// `created` and stopped when the next generation took over (`retired`); its tokens stay valid
// until they expire.
struct TokenKeyGeneration {
  int64_t generation = 0;
  Micros created = 0;
  std::optional<Micros> retired;
};

struct ApiToken {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  uint32_t scopes = 0;
  Micros created = 0;
  std::optional<Micros> expires;
  std::optional<Micros> last_used;
};

// An access key pair of the S3-compatible API. Its secret is no part of it: the secret is shown
// once, when the key is made, and otherwise kept sealed for the signature check alone.
struct S3Key {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  uint32_t scopes = 0;
  std::string access_key_id;  // "CK" and 18 more of [A-Z0-9]; not a secret
  Micros created = 0;
  std::optional<Micros> last_used;
};

// Who did what, from where. Never holds a secret.
struct AuditEvent {
  int64_t id = 0;
  Micros at = 0;
  int64_t actor_id = 0;  // 0 = anonymous or unknown
  std::string action;    // e.g. "auth.login"
  std::string target;    // e.g. "user:12", "session:4"
  std::string outcome;   // "success", "failure", "denied"
  std::string ip;
  std::string user_agent;
  std::string request_id;
  std::string detail;  // short, human-readable, no secrets
  // The tamper-evident chain (core/audit_chain.h), hex; empty on entries written before it.
  std::string prev_hash;
  std::string entry_hash;
};

// Where a request came from, for sessions and the audit log.
struct RequestOrigin {
  std::string ip;
  std::string user_agent;
  std::string request_id;
};

}  // namespace coffer
