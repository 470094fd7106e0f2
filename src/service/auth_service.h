#pragma once
// Accounts and credentials: password sign-in that opens a session (a short-lived signed access
// token plus a rotating opaque refresh token), refresh with reuse detection, sign-out,
// sessions, password changes, personal API tokens, and the audit trail of all of it.
// Authorization of file operations stays in the file service; this decides who is calling.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/token_signer.h"
#include "core/account.h"
#include "core/model.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "service/login_throttle.h"

namespace coffer::service {

struct AuthOptions {
  int64_t refresh_ttl_seconds = 30 * 86400;  // a session ends after this long unused
  ThrottlePolicy throttle;
};

// The credentials a sign-in or refresh hands out. The refresh token is a secret shown once.
struct SessionTokens {
  std::string access_token;
  int64_t expires_in = 0;  // seconds
  std::string refresh_token;
  int64_t refresh_expires_in = 0;  // seconds
  Session session;
};

// A new personal API token: the secret is returned here once and never again.
struct CreatedApiToken {
  ApiToken token;
  std::string secret;
};

class AuthService {
 public:
  AuthService(meta::Catalog& catalog, auth::TokenSigner signer, AuthOptions options = {});

  // Errors: kInvalidCredentials — the same status, message and (roughly) time whether the
  // user is unknown, disabled, or the password is wrong; kTooManyRequests (throttled).
  Result<SessionTokens> login(std::string_view username, std::string_view password,
                              const RequestOrigin& origin);
  // Rotates a refresh token. A token presented twice revokes its session (and is audited).
  // Errors: kUnauthenticated.
  Result<SessionTokens> refresh(std::string_view refresh_token, const RequestOrigin& origin);

  // Who is calling, from an access token or a personal API token. The user's status and the
  // session are checked on every call, so a disabled user or a revoked session stops at once.
  // Errors: kUnauthenticated.
  Result<Principal> authenticate(std::string_view bearer_token);

  Status logout(const Principal& who, const RequestOrigin& origin);
  Result<int64_t> logout_all(const Principal& who, const RequestOrigin& origin);
  Result<std::vector<Session>> sessions(const Principal& who);
  Status revoke_session(const Principal& who, int64_t session_id, const RequestOrigin& origin);

  // Errors: kInvalidCredentials (current password wrong), kWeakPassword. Ends every other
  // session of the user.
  Status change_password(const Principal& who, std::string_view current_password,
                         std::string_view new_password, const RequestOrigin& origin);

  // Errors: kInvalidArgument (name, scopes, expiry), kForbidden (admin scope for a non-admin).
  Result<CreatedApiToken> create_api_token(const Principal& who, std::string_view name,
                                           uint32_t scopes,
                                           std::optional<int64_t> expires_in_seconds,
                                           const RequestOrigin& origin);
  Result<std::vector<ApiToken>> api_tokens(const Principal& who);
  Status revoke_api_token(const Principal& who, int64_t token_id, const RequestOrigin& origin);

  // Admins see every event; everyone else only their own.
  Result<std::vector<AuditEvent>> audit_events(const Principal& who, meta::AuditQuery query);
  // Records an event; failures to record are returned (callers decide whether they matter).
  Status audit(const Principal* who, std::string action, std::string target, std::string outcome,
               const RequestOrigin& origin, std::string detail = {});

  // Administration (CLI). Errors: kInvalidArgument / kWeakPassword, kAlreadyExists.
  Result<User> create_user(std::string_view username, std::string_view password, Role role);
  Status set_password(std::string_view username, std::string_view password);

 private:
  Result<SessionTokens> tokens_for(const Session& session, std::string refresh_token, Micros now);

  meta::Catalog& catalog_;
  meta::AccountStore& accounts_;
  auth::TokenSigner signer_;
  AuthOptions options_;
  LoginThrottle throttle_;
};

// The scopes a role may hold at most.
uint32_t scopes_for_role(Role role);

// Usernames: 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit.
Status validate_username(std::string_view username);

}  // namespace coffer::service
