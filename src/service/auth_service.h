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

#include "auth/secret_box.h"
#include "auth/token_signer.h"
#include "core/account.h"
#include "core/model.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "service/audit_log.h"
#include "service/auth_cache.h"
#include "service/login_throttle.h"
#include "service/token_key_ring.h"

namespace coffer::service {

struct AuthOptions {
  int64_t refresh_ttl_seconds = 30 * 86400;  // a session ends after this long unused
  // A refresh token spent this recently may be presented once more when its successor was
  // never used: the response carrying the successor was lost. 0: every reuse ends the session.
  int64_t refresh_grace_seconds = 30;
  ThrottlePolicy throttle;
  // Successful credential checks are reused for this long (AuthCache): a revocation on this
  // node takes effect at once, one on another node within this bound. 0: every request reads
  // the database.
  Micros auth_cache_max_age = 2'000'000;
  size_t auth_cache_entries = AuthCache::kDefaultCapacity;
  // A new access-token signing key begins this often (TokenKeyRing). 0: on command only.
  Micros token_key_rotation = TokenKeyRingOptions{}.rotation_period;
};

// The credentials a sign-in or refresh hands out. The refresh token is a secret shown once.
struct SessionTokens {
  std::string access_token;
  int64_t expires_in = 0;  // seconds
  std::string refresh_token;
  int64_t refresh_expires_in = 0;  // seconds
  Session session;
};

// A second factor presented at sign-in: a TOTP code or a recovery code.
struct SecondFactor {
  std::optional<std::string> totp_code;
  std::optional<std::string> recovery_code;
};

struct TotpEnrolment {
  std::string secret;  // base32, for manual entry
  std::string otpauth_uri;
};

// Registration modes (admin setting "registration_mode").
enum class RegistrationMode { kClosed, kInvite, kOpen };

// A new personal API token: the secret is returned here once and never again.
struct CreatedApiToken {
  ApiToken token;
  std::string secret;
};

class AuthService {
 public:
  AuthService(meta::Catalog& catalog, auth::TokenSigner signer, auth::SecretBox mfa_box,
              AuthOptions options = {});

  // Errors: kInvalidCredentials — the same status, message and (roughly) time whether the
  // user is unknown, disabled, or the password is wrong; kTooManyRequests (throttled);
  // kMfaRequired (right password, second factor enabled and not given).
  Result<SessionTokens> login(std::string_view username, std::string_view password,
                              const SecondFactor& factor, const RequestOrigin& origin);
  // The checks of login() (throttle, password, status, second factor, audit of failures)
  // without opening a session: for sign-ins that end in something else, such as a sync
  // client's app password. Errors: as login().
  Result<User> check_sign_in(std::string_view username, std::string_view password,
                             const SecondFactor& factor, const RequestOrigin& origin);

  // Self-service registration as the admin's registration mode allows. Errors: kForbidden
  // (closed, or invite mode without a live invite), kInvalidArgument, kWeakPassword,
  // kAlreadyExists.
  Result<User> register_user(std::string_view username, std::string_view password,
                             std::optional<std::string_view> invite, const RequestOrigin& origin);
  // Sets a new password with a one-time reset token (made by an admin). Ends every session.
  // Errors: kNotFound (unknown, used or expired token), kWeakPassword.
  Status reset_password(std::string_view reset_token, std::string_view new_password,
                        const RequestOrigin& origin);

  // TOTP enrolment: start (a new seed), confirm with a first code (returns ten single-use
  // recovery codes, shown once), disable (password and a current code or recovery code).
  // Errors: kConflict (already enabled / nothing to confirm), kInvalidCredentials.
  Result<TotpEnrolment> begin_totp(const Principal& who, const RequestOrigin& origin);
  Result<std::vector<std::string>> confirm_totp(const Principal& who, std::string_view code,
                                                const RequestOrigin& origin);
  Status disable_totp(const Principal& who, std::string_view password, const SecondFactor& factor,
                      const RequestOrigin& origin);
  Result<bool> totp_enabled(int64_t user_id);

  RegistrationMode registration_mode();
  bool admins_need_mfa();
  // Rotates a refresh token. A token presented twice revokes its session (and is audited).
  // Errors: kUnauthenticated.
  Result<SessionTokens> refresh(std::string_view refresh_token, const RequestOrigin& origin);

  // Who is calling, from an access token or a personal API token. The access token's signature
  // and expiry are checked on every call; the session, the user's status and the API token come
  // from the database or, when checked within AuthOptions::auth_cache_max_age, from memory.
  // Every revocation made through this process empties that memory first, so a disabled user
  // or a revoked session stops at once on this node (on other nodes within the bound).
  // Errors: kUnauthenticated.
  Result<Principal> authenticate(std::string_view bearer_token);
  // HTTP Basic: the password must be a personal API token of that user (account passwords
  // are not accepted there: they would bypass the second factor). Errors: kUnauthenticated.
  Result<Principal> authenticate_basic(std::string_view username, std::string_view api_token);
  // HTTP Basic with the account password, for WebDAV clients where the server allows it
  // (DavOptions::password_login). Throttled like a sign-in; refused for accounts with a second
  // factor, which the password alone must not bypass. The principal may read and write files
  // and nothing else. Errors: kUnauthenticated, kTooManyRequests.
  Result<Principal> authenticate_password(std::string_view username, std::string_view password,
                                          const RequestOrigin& origin);

  Status logout(const Principal& who, const RequestOrigin& origin);
  Result<int64_t> logout_all(const Principal& who, const RequestOrigin& origin);
  Result<std::vector<Session>> sessions(const Principal& who);
  Status revoke_session(const Principal& who, int64_t session_id, const RequestOrigin& origin);

  // Errors: kInvalidCredentials (current password wrong), kWeakPassword. Ends every other
  // session of the user and, unless `keep_api_tokens`, revokes every API token: whoever
  // learned the old password may have made one.
  Status change_password(const Principal& who, std::string_view current_password,
                         std::string_view new_password, bool keep_api_tokens,
                         const RequestOrigin& origin);

  // Errors: kInvalidArgument (name, scopes, expiry), kForbidden (admin scope for a non-admin).
  Result<CreatedApiToken> create_api_token(const Principal& who, std::string_view name,
                                           uint32_t scopes,
                                           std::optional<int64_t> expires_in_seconds,
                                           const RequestOrigin& origin);
  Result<std::vector<ApiToken>> api_tokens(const Principal& who);
  Status revoke_api_token(const Principal& who, int64_t token_id, const RequestOrigin& origin);

  // Admins see every event; everyone else only their own.
  Result<std::vector<AuditEvent>> audit_events(const Principal& who, meta::AuditQuery query);
  // Records an event (AuditLog::record: a failure to record never changes the outcome).
  void audit(const Principal* who, std::string action, std::string target, std::string outcome,
             const RequestOrigin& origin, std::string detail = {}) {
    audit_log_.record(who, std::move(action), std::move(target), std::move(outcome), origin,
                      std::move(detail));
  }
  // The audit log, for the services that record events of their own.
  AuditLog& audit_log() { return audit_log_; }

  // The public keys that verify access tokens now, as JSON Web Keys (GET
  // /.well-known/jwks.json): the signing key's and those of retired keys whose tokens may
  // still be alive.
  Result<std::vector<boost::json::object>> public_keys();
  // Begins a new signing key at once (an administrator, audited); tokens signed by the old one
  // stay valid until they expire. Returns the new key's id. Errors: kForbidden.
  Result<std::string> rotate_token_key(const Principal& who, const RequestOrigin& origin);

  // Administration (CLI). Errors: kInvalidArgument / kWeakPassword, kAlreadyExists.
  Result<User> create_user(std::string_view username, std::string_view password, Role role);
  Status set_password(std::string_view username, std::string_view password);

  // Forgets every remembered credential check. Whoever changes an account, a session or a
  // token outside this class (AdminService, S3Keys) calls it after the change is written.
  void credentials_changed() { cache_.invalidate_all(); }
  // The memory of credential checks, shared with the other credentials this process checks
  // (S3 access keys), so that every change above forgets those too.
  AuthCache& credential_cache() { return cache_; }

  // The scopes `user`'s role grants now: without the admin scope for an admin who has no
  // second factor while the server requires one. A credential holds at most these.
  Result<uint32_t> scopes_now(const User& user);

 private:
  // authenticate, with the owner's username (HTTP Basic compares it).
  Result<CachedIdentity> identify(std::string_view bearer_token);
  Result<SessionTokens> tokens_for(const Session& session, std::string refresh_token, Micros now);
  // OK when the user has no confirmed TOTP, or `factor` proves it (spending the code).
  // Errors: kMfaRequired (nothing given), kInvalidCredentials (wrong).
  Status check_second_factor(int64_t user_id, const SecondFactor& factor, Micros now);
  meta::Catalog& catalog_;
  auth::SecretBox mfa_box_;
  meta::AccountStore& accounts_;
  auth::TokenSigner signer_;
  AuthOptions options_;
  TokenKeyRing key_ring_;
  LoginThrottle throttle_;
  AuthCache cache_;
  AuditLog audit_log_;
};

std::string_view registration_mode_name(RegistrationMode mode);
std::optional<RegistrationMode> parse_registration_mode(std::string_view name);

// Setting names (AccountStore::setting).
inline constexpr const char* kSettingRegistrationMode = "registration_mode";
inline constexpr const char* kSettingAdminsNeedMfa = "require_mfa_for_admins";

// The scopes a role may hold at most.
uint32_t scopes_for_role(Role role);

// Usernames: 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit.
Status validate_username(std::string_view username);
// The name a user gives a credential (API token, S3 access key): 1-100 characters.
Status validate_credential_name(std::string_view name);
// The scopes a user may give a new credential: some, all within what `who` holds now (an
// admin session without the second factor the server requires lacks the admin scope).
// Errors: kInvalidArgument (none), kForbidden.
Status check_credential_scopes(const Principal& who, uint32_t scopes);

}  // namespace coffer::service
