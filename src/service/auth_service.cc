#include "service/auth_service.h"

#include <cctype>
#include <utility>

#include "auth/opaque_token.h"
#include "auth/password.h"
#include "auth/password_policy.h"

namespace coffer::service {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr size_t kMaxTokenName = 100;
constexpr int64_t kMaxApiTokenLifetime = int64_t{10} * 366 * 86400;

Status invalid_credentials() {
  return Status(Errc::kInvalidCredentials, "invalid username or password");
}

Status unauthenticated(std::string message) {
  return Status(Errc::kUnauthenticated, std::move(message));
}

std::string user_target(int64_t id) { return "user:" + std::to_string(id); }

}  // namespace

uint32_t scopes_for_role(Role role) {
  return role == Role::kAdmin ? kAllScopes : (kScopeFilesRead | kScopeFilesWrite);
}

Status validate_username(std::string_view username) {
  if (username.empty() || username.size() > 64) {
    return Status(Errc::kInvalidArgument, "username must be 1 to 64 characters");
  }
  if (!std::isalnum(static_cast<unsigned char>(username.front()))) {
    return Status(Errc::kInvalidArgument, "username must start with a letter or digit");
  }
  for (unsigned char c : username) {
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') {
      return Status(Errc::kInvalidArgument, "username may contain only A-Z a-z 0-9 . _ -");
    }
  }
  return Status::ok();
}

AuthService::AuthService(meta::Catalog& catalog, auth::TokenSigner signer, AuthOptions options)
    : catalog_(catalog),
      accounts_(catalog.accounts()),
      signer_(std::move(signer)),
      options_(options),
      throttle_(catalog.accounts(), options.throttle) {}

Result<SessionTokens> AuthService::tokens_for(const Session& session, std::string refresh_token,
                                              Micros now) {
  SessionTokens out;
  out.access_token = signer_.issue(session.user_id, session.id, now / kMicrosPerSecond);
  out.expires_in = signer_.ttl_seconds();
  out.refresh_token = std::move(refresh_token);
  out.refresh_expires_in = (session.expires - now) / kMicrosPerSecond;
  out.session = session;
  return out;
}

Result<SessionTokens> AuthService::login(std::string_view username, std::string_view password,
                                         const RequestOrigin& origin) {
  const Micros now = now_micros();
  COFFER_RETURN_IF_ERROR(throttle_.check(username, origin.ip, now));
  auto fail = [&](std::string_view detail) -> Status {
    COFFER_RETURN_IF_ERROR(throttle_.record_failure(username, origin.ip, now));
    // The submitted name is recorded only when it is a valid username: a password typed
    // into the username field must not end up in the audit log.
    const bool plausible = validate_username(username).is_ok();
    (void)audit(nullptr, "auth.login", plausible ? "username:" + std::string(username) : "",
                "failure", origin, std::string(detail));
    return invalid_credentials();
  };
  if (username.size() > 64 || password.size() > auth::kMaxPasswordBytes) {
    auth::burn_password_check(password.substr(0, auth::kMaxPasswordBytes));
    return fail("malformed credentials");
  }
  auto user = catalog_.find_user_by_name(std::string(username));
  if (!user.is_ok()) {
    if (user.status().code() != Errc::kNotFound) return user.status();
    auth::burn_password_check(password);
    return fail("unknown user");
  }
  const bool password_ok = auth::verify_password(password, user->password_hash);
  if (!password_ok) return fail("wrong password");
  if (user->status != UserStatus::kActive) return fail("account not active");
  COFFER_RETURN_IF_ERROR(throttle_.record_success(username));

  std::string refresh = auth::new_opaque_token(auth::kRefreshTokenPrefix);
  auto session = accounts_.create_session(user->id, auth::opaque_token_hash(refresh), origin, now,
                                          now + options_.refresh_ttl_seconds * kMicrosPerSecond);
  COFFER_RETURN_IF_ERROR(session);
  Principal who{user->id, user->role, scopes_for_role(user->role), session->id, 0};
  (void)audit(&who, "auth.login", user_target(user->id), "success", origin,
              "session " + std::to_string(session->id));
  return tokens_for(*session, std::move(refresh), now);
}

Result<SessionTokens> AuthService::refresh(std::string_view refresh_token,
                                           const RequestOrigin& origin) {
  const Micros now = now_micros();
  if (refresh_token.size() > 256 || !refresh_token.starts_with(auth::kRefreshTokenPrefix)) {
    return unauthenticated("invalid refresh token");
  }
  std::string next = auth::new_opaque_token(auth::kRefreshTokenPrefix);
  auto result = accounts_.rotate_refresh(auth::opaque_token_hash(refresh_token),
                                         auth::opaque_token_hash(next), origin, now,
                                         now + options_.refresh_ttl_seconds * kMicrosPerSecond);
  COFFER_RETURN_IF_ERROR(result);
  switch (result->outcome) {
    case meta::RefreshOutcome::kInvalid:
      return unauthenticated("invalid or expired refresh token");
    case meta::RefreshOutcome::kReused: {
      Principal who{result->session.user_id, Role::kUser, 0, result->session.id, 0};
      (void)audit(&who, "auth.refresh_reuse", "session:" + std::to_string(result->session.id),
                  "denied", origin, "a spent refresh token was presented; session revoked");
      return unauthenticated("refresh token already used; the session has been revoked");
    }
    case meta::RefreshOutcome::kRotated:
      break;
  }
  // The user may have been disabled since the last refresh.
  auto user = accounts_.session_user(result->session.id, now);
  if (!user.is_ok() || user->status != UserStatus::kActive) {
    return unauthenticated("the session's account is not active");
  }
  return tokens_for(result->session, std::move(next), now);
}

Result<Principal> AuthService::authenticate(std::string_view bearer_token) {
  const Micros now = now_micros();
  if (bearer_token.starts_with(auth::kApiTokenPrefix)) {
    if (bearer_token.size() > 256) return unauthenticated("invalid API token");
    auto found = accounts_.use_api_token(auth::opaque_token_hash(bearer_token), now);
    if (!found.is_ok()) {
      if (found.status().code() == Errc::kNotFound) {
        return unauthenticated("invalid, revoked or expired API token");
      }
      return found.status();
    }
    const auto& [token, user] = *found;
    if (user.status != UserStatus::kActive) return unauthenticated("the account is not active");
    return Principal{user.id, user.role, token.scopes & scopes_for_role(user.role), 0, token.id};
  }
  auto claims = signer_.verify(bearer_token, now / kMicrosPerSecond);
  COFFER_RETURN_IF_ERROR(claims);
  auto user = accounts_.session_user(claims->session_id, now);
  if (!user.is_ok()) {
    if (user.status().code() == Errc::kNotFound) {
      return unauthenticated("the session has ended; sign in again");
    }
    return user.status();
  }
  if (user->id != claims->user_id) return unauthenticated("the token does not match its session");
  if (user->status != UserStatus::kActive) return unauthenticated("the account is not active");
  return Principal{user->id, user->role, scopes_for_role(user->role), claims->session_id, 0};
}

Status AuthService::logout(const Principal& who, const RequestOrigin& origin) {
  if (who.session_id == 0) return Status(Errc::kForbidden, "an API token has no session");
  COFFER_RETURN_IF_ERROR(accounts_.revoke_session(who.user_id, who.session_id, now_micros()));
  return audit(&who, "auth.logout", "session:" + std::to_string(who.session_id), "success", origin);
}

Result<int64_t> AuthService::logout_all(const Principal& who, const RequestOrigin& origin) {
  auto n = accounts_.revoke_sessions(who.user_id, 0, now_micros());
  COFFER_RETURN_IF_ERROR(n);
  (void)audit(&who, "auth.logout_all", user_target(who.user_id), "success", origin,
              std::to_string(*n) + " sessions revoked");
  return n;
}

Result<std::vector<Session>> AuthService::sessions(const Principal& who) {
  return accounts_.list_sessions(who.user_id, now_micros());
}

Status AuthService::revoke_session(const Principal& who, int64_t session_id,
                                   const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(accounts_.revoke_session(who.user_id, session_id, now_micros()));
  return audit(&who, "auth.session_revoke", "session:" + std::to_string(session_id), "success",
               origin);
}

Status AuthService::change_password(const Principal& who, std::string_view current_password,
                                    std::string_view new_password, const RequestOrigin& origin) {
  auto user = catalog_.find_user(who.user_id);
  COFFER_RETURN_IF_ERROR(user);
  if (current_password.size() > auth::kMaxPasswordBytes ||
      !auth::verify_password(current_password, user->password_hash)) {
    (void)audit(&who, "auth.password_change", user_target(who.user_id), "failure", origin,
                "current password wrong");
    return Status(Errc::kInvalidCredentials, "the current password is wrong");
  }
  COFFER_RETURN_IF_ERROR(auth::check_password_policy(new_password, user->username));
  auto hash = auth::hash_password(new_password);
  COFFER_RETURN_IF_ERROR(hash);
  COFFER_RETURN_IF_ERROR(
      accounts_.change_password(who.user_id, *hash, who.session_id, now_micros()));
  return audit(&who, "auth.password_change", user_target(who.user_id), "success", origin,
               "other sessions revoked");
}

Result<CreatedApiToken> AuthService::create_api_token(const Principal& who, std::string_view name,
                                                      uint32_t scopes,
                                                      std::optional<int64_t> expires_in_seconds,
                                                      const RequestOrigin& origin) {
  if (name.empty() || name.size() > kMaxTokenName) {
    return Status(Errc::kInvalidArgument, "name must be 1 to 100 bytes");
  }
  if (scopes == 0) return Status(Errc::kInvalidArgument, "at least one scope is required");
  if ((scopes & ~scopes_for_role(who.role)) != 0) {
    return Status(Errc::kForbidden, "only admins may create tokens with the admin scope");
  }
  if (expires_in_seconds &&
      (*expires_in_seconds <= 0 || *expires_in_seconds > kMaxApiTokenLifetime)) {
    return Status(Errc::kInvalidArgument, "expires_in must be between 1 second and 10 years");
  }
  const Micros now = now_micros();
  std::optional<Micros> expires;
  if (expires_in_seconds) expires = now + *expires_in_seconds * kMicrosPerSecond;
  std::string secret = auth::new_opaque_token(auth::kApiTokenPrefix);
  auto token = accounts_.create_api_token(who.user_id, std::string(name), scopes,
                                          auth::opaque_token_hash(secret), expires, now);
  COFFER_RETURN_IF_ERROR(token);
  (void)audit(&who, "auth.token_create", "token:" + std::to_string(token->id), "success", origin,
              "scopes: " + scopes_text(scopes));
  return CreatedApiToken{std::move(*token), std::move(secret)};
}

Result<std::vector<ApiToken>> AuthService::api_tokens(const Principal& who) {
  return accounts_.list_api_tokens(who.user_id, now_micros());
}

Status AuthService::revoke_api_token(const Principal& who, int64_t token_id,
                                     const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(accounts_.revoke_api_token(who.user_id, token_id, now_micros()));
  return audit(&who, "auth.token_revoke", "token:" + std::to_string(token_id), "success", origin);
}

Result<std::vector<AuditEvent>> AuthService::audit_events(const Principal& who,
                                                          meta::AuditQuery query) {
  if (who.role != Role::kAdmin || !who.has(kScopeAdmin)) query.actor_id = who.user_id;
  return accounts_.list_audit(query);
}

Status AuthService::audit(const Principal* who, std::string action, std::string target,
                          std::string outcome, const RequestOrigin& origin, std::string detail) {
  AuditEvent event;
  event.at = now_micros();
  event.actor_id = who ? who->user_id : 0;
  event.action = std::move(action);
  event.target = std::move(target);
  event.outcome = std::move(outcome);
  event.ip = origin.ip;
  event.user_agent = origin.user_agent;
  event.request_id = origin.request_id;
  event.detail = std::move(detail);
  return accounts_.append_audit(event);
}

Result<User> AuthService::create_user(std::string_view username, std::string_view password,
                                      Role role) {
  COFFER_RETURN_IF_ERROR(validate_username(username));
  COFFER_RETURN_IF_ERROR(auth::check_password_policy(password, username));
  auto hash = auth::hash_password(password);
  COFFER_RETURN_IF_ERROR(hash);
  return catalog_.create_user(std::string(username), *hash, role);
}

Status AuthService::set_password(std::string_view username, std::string_view password) {
  COFFER_RETURN_IF_ERROR(auth::check_password_policy(password, username));
  auto user = catalog_.find_user_by_name(std::string(username));
  COFFER_RETURN_IF_ERROR(user);
  auto hash = auth::hash_password(password);
  COFFER_RETURN_IF_ERROR(hash);
  // A reset by the operator ends every session: whoever knew the old password is out.
  return accounts_.change_password(user->id, *hash, 0, now_micros());
}

}  // namespace coffer::service
