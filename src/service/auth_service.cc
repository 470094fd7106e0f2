#include "service/auth_service.h"

#include <sodium.h>

#include <cctype>
#include <limits>
#include <utility>

#include "auth/opaque_token.h"
#include "auth/password.h"
#include "auth/password_policy.h"
#include "auth/totp.h"

namespace coffer::service {
namespace {

constexpr size_t kMaxCredentialName = 100;
constexpr int64_t kMaxApiTokenLifetime = int64_t{10} * 366 * 86400;
constexpr int kRecoveryCodes = 10;
constexpr size_t kTotpSecretBytes = 20;  // 160 bits, RFC 4226's recommendation

// "abcd-efgh-ijkm": 60 bits from an alphabet without look-alikes, easy to type from paper.
std::string new_recovery_code() {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
  std::string code;
  for (int i = 0; i < 12; ++i) {
    if (i > 0 && i % 4 == 0) code += '-';
    code += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  }
  return code;
}

// Recovery codes are compared case-insensitively and without separators.
std::string normalized_recovery_code(std::string_view code) {
  std::string out;
  for (char c : code.substr(0, 64)) {
    if (c == '-' || c == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

Status invalid_credentials() {
  return Status(Errc::kInvalidCredentials, "invalid username or password");
}

Status unauthenticated(std::string message) {
  return Status(Errc::kUnauthenticated, std::move(message));
}

std::string user_target(int64_t id) { return "user:" + std::to_string(id); }

}  // namespace

std::string_view registration_mode_name(RegistrationMode mode) {
  switch (mode) {
    case RegistrationMode::kOpen:
      return "open";
    case RegistrationMode::kInvite:
      return "invite";
    case RegistrationMode::kClosed:
      return "closed";
  }
  return "closed";
}

std::optional<RegistrationMode> parse_registration_mode(std::string_view name) {
  if (name == "open") return RegistrationMode::kOpen;
  if (name == "invite") return RegistrationMode::kInvite;
  if (name == "closed") return RegistrationMode::kClosed;
  return std::nullopt;
}

uint32_t scopes_for_role(Role role) {
  return role == Role::kAdmin ? kAllScopes : (kScopeFilesRead | kScopeFilesWrite);
}

Status validate_credential_name(std::string_view name) {
  // Characters, not bytes: UTF-8 continuation bytes do not count.
  size_t characters = 0;
  for (unsigned char c : name) characters += (c & 0xC0) != 0x80 ? 1 : 0;
  if (characters == 0 || characters > kMaxCredentialName) {
    return Status(Errc::kInvalidArgument, "name must be 1 to 100 characters");
  }
  return Status::ok();
}

Status check_credential_scopes(const Principal& who, uint32_t scopes) {
  if (scopes == 0) return Status(Errc::kInvalidArgument, "at least one scope is required");
  if ((scopes & ~scopes_for_role(who.role)) != 0) {
    return Status(Errc::kForbidden, "only admins may create credentials with the admin scope");
  }
  // Never more than the caller holds now: an admin session without the second factor the
  // server requires lacks the admin scope, and so does every credential it makes.
  if ((scopes & ~who.scopes) != 0) {
    return Status(Errc::kForbidden,
                  "this session lacks a requested scope (admins need a second factor here)");
  }
  return Status::ok();
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

AuthService::AuthService(meta::Catalog& catalog, auth::TokenSigner signer, auth::SecretBox mfa_box,
                         AuthOptions options)
    : catalog_(catalog),
      mfa_box_(std::move(mfa_box)),
      accounts_(catalog.accounts()),
      signer_(std::move(signer)),
      options_(options),
      key_ring_(catalog.accounts(), TokenKeyRingOptions{options.token_key_rotation,
                                                        signer_.ttl_seconds() * kMicrosPerSecond,
                                                        TokenKeyRingOptions{}.reload_interval}),
      throttle_(catalog.accounts(), options.throttle),
      cache_(options.auth_cache_entries, options.auth_cache_max_age),
      audit_log_(catalog.accounts()) {}

Result<SessionTokens> AuthService::tokens_for(const Session& session, std::string refresh_token,
                                              Micros now) {
  auto generation = key_ring_.signing_generation(now);
  COFFER_RETURN_IF_ERROR(generation);
  SessionTokens out;
  out.access_token =
      signer_.issue(session.user_id, session.id, now / kMicrosPerSecond, *generation);
  out.expires_in = signer_.ttl_seconds();
  out.refresh_token = std::move(refresh_token);
  out.refresh_expires_in = (session.expires - now) / kMicrosPerSecond;
  out.session = session;
  return out;
}

Result<User> AuthService::check_sign_in(std::string_view username, std::string_view password,
                                        const SecondFactor& factor, const RequestOrigin& origin) {
  const Micros now = now_micros();
  COFFER_RETURN_IF_ERROR(throttle_.check(username, origin.ip, now));
  auto fail = [&](std::string_view detail) -> Status {
    COFFER_RETURN_IF_ERROR(throttle_.record_failure(username, origin.ip, now));
    // The submitted name is recorded only when it is a valid username: a password typed
    // into the username field must not end up in the audit log.
    const bool plausible = validate_username(username).is_ok();
    audit(nullptr, "auth.login", plausible ? "username:" + std::string(username) : "", "failure",
          origin, std::string(detail));
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
  if (Status second = check_second_factor(user->id, factor, now); !second.is_ok()) {
    if (second.code() == Errc::kInvalidCredentials) {
      COFFER_RETURN_IF_ERROR(throttle_.record_failure(username, origin.ip, now));
      Principal who{user->id, user->role, 0, 0, 0};
      audit(&who, "auth.login", user_target(user->id), "failure", origin, "wrong second factor");
    }
    return second;
  }
  COFFER_RETURN_IF_ERROR(throttle_.record_success(username, origin.ip));
  return std::move(*user);
}

Result<SessionTokens> AuthService::login(std::string_view username, std::string_view password,
                                         const SecondFactor& factor, const RequestOrigin& origin) {
  auto user = check_sign_in(username, password, factor, origin);
  COFFER_RETURN_IF_ERROR(user);
  const Micros now = now_micros();
  std::string refresh = auth::new_opaque_token(auth::kRefreshTokenPrefix);
  auto session = accounts_.create_session(user->id, auth::opaque_token_hash(refresh), origin, now,
                                          now + options_.refresh_ttl_seconds * kMicrosPerSecond);
  COFFER_RETURN_IF_ERROR(session);
  Principal who{user->id, user->role, scopes_for_role(user->role), session->id, 0};
  audit(&who, "auth.login", user_target(user->id), "success", origin,
        "session " + std::to_string(session->id));
  return tokens_for(*session, std::move(refresh), now);
}

Status AuthService::check_second_factor(int64_t user_id, const SecondFactor& factor, Micros now) {
  auto record = accounts_.totp(user_id);
  COFFER_RETURN_IF_ERROR(record);
  if (!*record || !(*record)->confirmed) return Status::ok();
  const Status wrong(Errc::kInvalidCredentials, "invalid second factor");
  if (factor.totp_code) {
    auto seed = mfa_box_.open((*record)->secret_box);
    COFFER_RETURN_IF_ERROR(seed);
    auto step =
        auth::totp_match(*seed, *factor.totp_code, now / kMicrosPerSecond, (*record)->last_step);
    if (!step) return wrong;
    auto fresh = accounts_.use_totp_step(user_id, *step);
    COFFER_RETURN_IF_ERROR(fresh);
    return *fresh ? Status::ok() : wrong;
  }
  if (factor.recovery_code) {
    auto spent = accounts_.use_recovery_code(
        user_id, auth::opaque_token_hash(normalized_recovery_code(*factor.recovery_code)), now);
    COFFER_RETURN_IF_ERROR(spent);
    return *spent ? Status::ok() : wrong;
  }
  return Status(Errc::kMfaRequired, "a TOTP code (totp_code) or recovery code is required");
}

Result<SessionTokens> AuthService::refresh(std::string_view refresh_token,
                                           const RequestOrigin& origin) {
  const Micros now = now_micros();
  if (refresh_token.size() > 256 || !refresh_token.starts_with(auth::kRefreshTokenPrefix)) {
    return unauthenticated("invalid refresh token");
  }
  std::string next = auth::new_opaque_token(auth::kRefreshTokenPrefix);
  const Micros lost_response_since = options_.refresh_grace_seconds > 0
                                         ? now - options_.refresh_grace_seconds * kMicrosPerSecond
                                         : std::numeric_limits<Micros>::max();
  auto result = accounts_.rotate_refresh(
      auth::opaque_token_hash(refresh_token), auth::opaque_token_hash(next), origin, now,
      now + options_.refresh_ttl_seconds * kMicrosPerSecond, lost_response_since);
  COFFER_RETURN_IF_ERROR(result);
  if (result->outcome == meta::RefreshOutcome::kReused) cache_.invalidate_all();
  switch (result->outcome) {
    case meta::RefreshOutcome::kInvalid:
      return unauthenticated("invalid or expired refresh token");
    case meta::RefreshOutcome::kReused: {
      Principal who{result->session.user_id, Role::kUser, 0, result->session.id, 0};
      audit(&who, "auth.refresh_reuse", "session:" + std::to_string(result->session.id), "denied",
            origin, "a spent refresh token was presented; session revoked");
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
  auto identity = identify(bearer_token);
  COFFER_RETURN_IF_ERROR(identity);
  return identity->principal;
}

Result<uint32_t> AuthService::scopes_now(const User& user) {
  uint32_t scopes = scopes_for_role(user.role);
  if (user.role == Role::kAdmin && admins_need_mfa()) {
    // Until this admin enrols a second factor, sessions and tokens work for files but not
    // for administration.
    auto enabled = totp_enabled(user.id);
    COFFER_RETURN_IF_ERROR(enabled);
    if (!*enabled) scopes &= ~kScopeAdmin;
  }
  return scopes;
}

Result<CachedIdentity> AuthService::identify(std::string_view bearer_token) {
  const Micros now = now_micros();
  // Read before the database: a revocation committed after this read makes what we build
  // from the database unusable (AuthCache::put refuses it, find never serves it).
  const uint64_t generation = cache_.generation();
  if (bearer_token.starts_with(auth::kApiTokenPrefix)) {
    if (bearer_token.size() > 256) return unauthenticated("invalid API token");
    std::string hash = auth::opaque_token_hash(bearer_token);
    std::string key = "t:" + hash;
    if (auto hit = cache_.find(key)) return std::move(*hit);
    auto found = accounts_.use_api_token(hash, now);
    if (!found.is_ok()) {
      if (found.status().code() == Errc::kNotFound) {
        return unauthenticated("invalid, revoked or expired API token");
      }
      return found.status();
    }
    const auto& [token, user] = *found;
    if (user.status != UserStatus::kActive) return unauthenticated("the account is not active");
    auto role_scopes = scopes_now(user);
    COFFER_RETURN_IF_ERROR(role_scopes);
    CachedIdentity identity{Principal{user.id, user.role, token.scopes & *role_scopes, 0, token.id},
                            user.username};
    // An expiring token is not remembered past its expiry.
    cache_.put(key, identity, generation,
               token.expires ? *token.expires - now : std::numeric_limits<Micros>::max());
    return identity;
  }
  // The signature and expiry are cheap and are never skipped.
  auto claims = signer_.verify(bearer_token, now / kMicrosPerSecond, [&](int64_t generation) {
    return key_ring_.accepts(generation, now);
  });
  COFFER_RETURN_IF_ERROR(claims);
  std::string key = "s:" + std::to_string(claims->session_id);
  if (auto hit = cache_.find(key)) {
    if (hit->principal.user_id != claims->user_id) {
      return unauthenticated("the token does not match its session");
    }
    return std::move(*hit);
  }
  auto user = accounts_.session_user(claims->session_id, now);
  if (!user.is_ok()) {
    if (user.status().code() == Errc::kNotFound) {
      return unauthenticated("the session has ended; sign in again");
    }
    return user.status();
  }
  if (user->id != claims->user_id) return unauthenticated("the token does not match its session");
  if (user->status != UserStatus::kActive) return unauthenticated("the account is not active");
  auto scopes = scopes_now(*user);
  COFFER_RETURN_IF_ERROR(scopes);
  CachedIdentity identity{Principal{user->id, user->role, *scopes, claims->session_id, 0},
                          user->username};
  cache_.put(key, identity, generation);
  return identity;
}

Result<Principal> AuthService::authenticate_basic(std::string_view username,
                                                  std::string_view api_token) {
  if (!api_token.starts_with(auth::kApiTokenPrefix)) {
    return unauthenticated("HTTP Basic needs a personal API token as the password");
  }
  auto identity = identify(api_token);
  COFFER_RETURN_IF_ERROR(identity);
  if (identity->username != username) return unauthenticated("invalid API token");
  return identity->principal;
}

Result<Principal> AuthService::authenticate_password(std::string_view username,
                                                     std::string_view password,
                                                     const RequestOrigin& origin) {
  const Micros now = now_micros();
  COFFER_RETURN_IF_ERROR(throttle_.check(username, origin.ip, now));
  auto fail = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(throttle_.record_failure(username, origin.ip, now));
    return unauthenticated("invalid username or password");
  };
  if (username.size() > 64 || password.size() > auth::kMaxPasswordBytes) {
    auth::burn_password_check(password.substr(0, auth::kMaxPasswordBytes));
    return fail();
  }
  auto user = catalog_.find_user_by_name(std::string(username));
  if (!user.is_ok()) {
    if (user.status().code() != Errc::kNotFound) return user.status();
    auth::burn_password_check(password);
    return fail();
  }
  if (!auth::verify_password(password, user->password_hash)) return fail();
  if (user->status != UserStatus::kActive) return fail();
  auto totp = accounts_.totp(user->id);
  COFFER_RETURN_IF_ERROR(totp);
  if (*totp && (*totp)->confirmed) {
    return unauthenticated("this account has a second factor: use a personal API token");
  }
  COFFER_RETURN_IF_ERROR(throttle_.record_success(username, origin.ip));
  return Principal{user->id, user->role, kScopeFilesRead | kScopeFilesWrite, 0, 0};
}

Status AuthService::logout(const Principal& who, const RequestOrigin& origin) {
  if (who.session_id == 0) return Status(Errc::kForbidden, "an API token has no session");
  Status revoked = accounts_.revoke_session(who.user_id, who.session_id, now_micros());
  cache_.invalidate_all();
  COFFER_RETURN_IF_ERROR(revoked);
  audit(&who, "auth.logout", "session:" + std::to_string(who.session_id), "success", origin);
  return Status::ok();
}

Result<int64_t> AuthService::logout_all(const Principal& who, const RequestOrigin& origin) {
  auto n = accounts_.revoke_sessions(who.user_id, 0, now_micros());
  cache_.invalidate_all();
  COFFER_RETURN_IF_ERROR(n);
  audit(&who, "auth.logout_all", user_target(who.user_id), "success", origin,
        std::to_string(*n) + " sessions revoked");
  return n;
}

Result<std::vector<Session>> AuthService::sessions(const Principal& who) {
  return accounts_.list_sessions(who.user_id, now_micros());
}

Status AuthService::revoke_session(const Principal& who, int64_t session_id,
                                   const RequestOrigin& origin) {
  Status revoked = accounts_.revoke_session(who.user_id, session_id, now_micros());
  cache_.invalidate_all();
  COFFER_RETURN_IF_ERROR(revoked);
  audit(&who, "auth.session_revoke", "session:" + std::to_string(session_id), "success", origin);
  return Status::ok();
}

Status AuthService::change_password(const Principal& who, std::string_view current_password,
                                    std::string_view new_password, bool keep_api_tokens,
                                    const RequestOrigin& origin) {
  auto user = catalog_.find_user(who.user_id);
  COFFER_RETURN_IF_ERROR(user);
  // Throttled like a sign-in: a session alone must not be a password oracle.
  const Micros now = now_micros();
  COFFER_RETURN_IF_ERROR(throttle_.check(user->username, origin.ip, now));
  if (current_password.size() > auth::kMaxPasswordBytes ||
      !auth::verify_password(current_password, user->password_hash)) {
    COFFER_RETURN_IF_ERROR(throttle_.record_failure(user->username, origin.ip, now));
    audit(&who, "auth.password_change", user_target(who.user_id), "failure", origin,
          "current password wrong");
    return Status(Errc::kInvalidCredentials, "the current password is wrong");
  }
  COFFER_RETURN_IF_ERROR(throttle_.record_success(user->username, origin.ip));
  COFFER_RETURN_IF_ERROR(auth::check_password_policy(new_password, user->username));
  auto hash = auth::hash_password(new_password);
  COFFER_RETURN_IF_ERROR(hash);
  Status changed =
      accounts_.change_password(who.user_id, *hash, who.session_id, !keep_api_tokens, now_micros());
  cache_.invalidate_all();
  COFFER_RETURN_IF_ERROR(changed);
  audit(&who, "auth.password_change", user_target(who.user_id), "success", origin,
        "other sessions revoked");
  return Status::ok();
}

Result<CreatedApiToken> AuthService::create_api_token(const Principal& who, std::string_view name,
                                                      uint32_t scopes,
                                                      std::optional<int64_t> expires_in_seconds,
                                                      const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(validate_credential_name(name));
  COFFER_RETURN_IF_ERROR(check_credential_scopes(who, scopes));
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
  audit(&who, "auth.token_create", "token:" + std::to_string(token->id), "success", origin,
        "scopes: " + scopes_text(scopes));
  return CreatedApiToken{std::move(*token), std::move(secret)};
}

Result<std::vector<ApiToken>> AuthService::api_tokens(const Principal& who) {
  return accounts_.list_api_tokens(who.user_id, now_micros());
}

Status AuthService::revoke_api_token(const Principal& who, int64_t token_id,
                                     const RequestOrigin& origin) {
  Status revoked = accounts_.revoke_api_token(who.user_id, token_id, now_micros());
  cache_.invalidate_all();
  COFFER_RETURN_IF_ERROR(revoked);
  audit(&who, "auth.token_revoke", "token:" + std::to_string(token_id), "success", origin);
  return Status::ok();
}

Result<std::vector<AuditEvent>> AuthService::audit_events(const Principal& who,
                                                          meta::AuditQuery query) {
  if (who.role != Role::kAdmin || !who.has(kScopeAdmin)) query.actor_id = who.user_id;
  return accounts_.list_audit(query);
}

Result<std::vector<boost::json::object>> AuthService::public_keys() {
  auto generations = key_ring_.accepted(now_micros());
  COFFER_RETURN_IF_ERROR(generations);
  std::vector<boost::json::object> keys;
  for (int64_t g : *generations) keys.push_back(signer_.public_jwk(g));
  return keys;
}

Result<std::string> AuthService::rotate_token_key(const Principal& who,
                                                  const RequestOrigin& origin) {
  if (who.role != Role::kAdmin) return Status(Errc::kForbidden, "administrators only");
  auto generation = key_ring_.rotate(now_micros());
  if (!generation.is_ok()) {
    audit(&who, "auth.token_key_rotate", "", "failure", origin);
    return generation.status();
  }
  const std::string kid = signer_.key_id(*generation);
  audit(&who, "auth.token_key_rotate", "token_key:" + kid, "success", origin);
  return kid;
}

RegistrationMode AuthService::registration_mode() {
  auto value = accounts_.setting(kSettingRegistrationMode);
  if (!value.is_ok() || !*value) return RegistrationMode::kClosed;
  return parse_registration_mode(**value).value_or(RegistrationMode::kClosed);
}

bool AuthService::admins_need_mfa() {
  auto value = accounts_.setting(kSettingAdminsNeedMfa);
  return value.is_ok() && *value && **value == "true";
}

Result<bool> AuthService::totp_enabled(int64_t user_id) {
  auto record = accounts_.totp(user_id);
  COFFER_RETURN_IF_ERROR(record);
  return *record && (*record)->confirmed;
}

Result<User> AuthService::register_user(std::string_view username, std::string_view password,
                                        std::optional<std::string_view> invite,
                                        const RequestOrigin& origin) {
  const RegistrationMode mode = registration_mode();
  if (mode == RegistrationMode::kClosed) {
    return Status(Errc::kForbidden, "registration is closed; ask an administrator");
  }
  COFFER_RETURN_IF_ERROR(validate_username(username));
  COFFER_RETURN_IF_ERROR(auth::check_password_policy(password, username));
  std::string invite_hash;
  if (mode == RegistrationMode::kInvite) {
    if (!invite || invite->empty() || invite->size() > 256) {
      return Status(Errc::kForbidden, "registration needs an invite");
    }
    invite_hash = auth::opaque_token_hash(*invite);
    auto claimed = accounts_.claim_invite(invite_hash, now_micros());
    COFFER_RETURN_IF_ERROR(claimed);
    if (!*claimed) return Status(Errc::kForbidden, "the invite is unknown, used or expired");
  }
  auto user = create_user(username, password, Role::kUser);
  if (!invite_hash.empty()) {
    // A failed registration gives the invite back; a crash in between loses it (the admin
    // issues another), never lets it be used twice.
    COFFER_RETURN_IF_ERROR(user.is_ok() ? accounts_.bind_invite(invite_hash, user->id)
                                        : accounts_.release_invite(invite_hash));
  }
  COFFER_RETURN_IF_ERROR(user);
  Principal who{user->id, user->role, 0, 0, 0};
  audit(&who, "auth.register", user_target(user->id), "success", origin,
        std::string("mode: ") + std::string(registration_mode_name(mode)));
  return user;
}

Status AuthService::reset_password(std::string_view reset_token, std::string_view new_password,
                                   const RequestOrigin& origin) {
  if (reset_token.empty() || reset_token.size() > 256) {
    return Status(Errc::kNotFound, "the reset link is unknown, used or expired");
  }
  // The policy check needs the username; the token tells it only when redeemed, so the
  // username rule is checked against nothing here and the rest applies.
  COFFER_RETURN_IF_ERROR(auth::check_password_policy(new_password));
  auto hash = auth::hash_password(new_password);
  COFFER_RETURN_IF_ERROR(hash);
  auto user_id =
      accounts_.redeem_password_reset(auth::opaque_token_hash(reset_token), *hash, now_micros());
  cache_.invalidate_all();
  COFFER_RETURN_IF_ERROR(user_id);
  Principal who{*user_id, Role::kUser, 0, 0, 0};
  audit(&who, "auth.password_reset", user_target(*user_id), "success", origin);
  return Status::ok();
}

Result<TotpEnrolment> AuthService::begin_totp(const Principal& who, const RequestOrigin& origin) {
  auto user = catalog_.find_user(who.user_id);
  COFFER_RETURN_IF_ERROR(user);
  std::vector<unsigned char> seed(kTotpSecretBytes);
  randombytes_buf(seed.data(), seed.size());
  COFFER_RETURN_IF_ERROR(accounts_.begin_totp(who.user_id, mfa_box_.seal(seed), now_micros()));
  audit(&who, "auth.mfa_begin", user_target(who.user_id), "success", origin);
  return TotpEnrolment{auth::base32_encode(seed),
                       auth::otpauth_uri("Coffer", user->username, seed)};
}

Result<std::vector<std::string>> AuthService::confirm_totp(const Principal& who,
                                                           std::string_view code,
                                                           const RequestOrigin& origin) {
  auto record = accounts_.totp(who.user_id);
  COFFER_RETURN_IF_ERROR(record);
  if (!*record || (*record)->confirmed) {
    return Status(Errc::kConflict, "no two-factor enrolment is waiting for confirmation");
  }
  auto seed = mfa_box_.open((*record)->secret_box);
  COFFER_RETURN_IF_ERROR(seed);
  auto step = auth::totp_match(*seed, code, now_micros() / kMicrosPerSecond, 0);
  if (!step) {
    audit(&who, "auth.mfa_enable", user_target(who.user_id), "failure", origin, "wrong code");
    return Status(Errc::kInvalidCredentials, "the code does not match; check the device clock");
  }
  std::vector<std::string> codes;
  std::vector<std::string> hashes;
  for (int i = 0; i < kRecoveryCodes; ++i) {
    codes.push_back(new_recovery_code());
    hashes.push_back(auth::opaque_token_hash(normalized_recovery_code(codes.back())));
  }
  Status confirmed = accounts_.confirm_totp(who.user_id, *step, hashes, now_micros());
  cache_.invalidate_all();  // an admin's scopes may depend on it (require_mfa_for_admins)
  COFFER_RETURN_IF_ERROR(confirmed);
  audit(&who, "auth.mfa_enable", user_target(who.user_id), "success", origin);
  return codes;
}

Status AuthService::disable_totp(const Principal& who, std::string_view password,
                                 const SecondFactor& factor, const RequestOrigin& origin) {
  auto user = catalog_.find_user(who.user_id);
  COFFER_RETURN_IF_ERROR(user);
  const Micros now = now_micros();
  COFFER_RETURN_IF_ERROR(throttle_.check(user->username, origin.ip, now));
  auto enabled = totp_enabled(who.user_id);
  COFFER_RETURN_IF_ERROR(enabled);
  if (!*enabled) return Status(Errc::kConflict, "two-factor authentication is not enabled");
  const bool password_ok = password.size() <= auth::kMaxPasswordBytes &&
                           auth::verify_password(password, user->password_hash);
  Status second = password_ok ? check_second_factor(who.user_id, factor, now)
                              : Status(Errc::kInvalidCredentials, "wrong password");
  if (!second.is_ok()) {
    if (second.code() == Errc::kInvalidCredentials) {
      COFFER_RETURN_IF_ERROR(throttle_.record_failure(user->username, origin.ip, now));
    }
    audit(&who, "auth.mfa_disable", user_target(who.user_id), "failure", origin);
    if (second.code() == Errc::kMfaRequired) {
      return Status(Errc::kInvalidArgument, "a current TOTP code or a recovery code is required");
    }
    return Status(Errc::kInvalidCredentials, "wrong password or code");
  }
  Status removed = accounts_.remove_totp(who.user_id);
  cache_.invalidate_all();
  COFFER_RETURN_IF_ERROR(removed);
  audit(&who, "auth.mfa_disable", user_target(who.user_id), "success", origin);
  return Status::ok();
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
  // A reset by the operator ends every session and API token: whoever knew the old password
  // is out.
  Status changed = accounts_.change_password(user->id, *hash, 0, true, now_micros());
  cache_.invalidate_all();
  return changed;
}

}  // namespace coffer::service
