#include "service/auth_service.h"

#include <cctype>

#include "auth/password.h"

namespace coffer::service {
namespace {

int64_t unix_now() { return now_micros() / 1'000'000; }

Status invalid_credentials() {
  return Status(Errc::kInvalidCredentials, "invalid username or password");
}

}  // namespace

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

Status validate_password(std::string_view password) {
  if (password.size() < 8)
    return Status(Errc::kInvalidArgument, "password must be at least 8 characters");
  if (password.size() > 1024)
    return Status(Errc::kInvalidArgument, "password must be at most 1024 bytes");
  return Status::ok();
}

AuthService::AuthService(meta::Catalog& catalog, auth::TokenSigner signer)
    : catalog_(catalog), signer_(std::move(signer)) {}

Result<IssuedToken> AuthService::login(std::string_view username, std::string_view password) {
  if (username.size() > 64 || password.size() > 1024) {
    auth::burn_password_check(password.substr(0, 1024));
    return invalid_credentials();
  }
  auto user = catalog_.find_user_by_name(std::string(username));
  if (!user.is_ok()) {
    if (user.status().code() != Errc::kNotFound) return user.status();
    auth::burn_password_check(password);
    return invalid_credentials();
  }
  bool password_ok = auth::verify_password(password, user->password_hash);
  if (!password_ok || user->status != UserStatus::kActive) return invalid_credentials();
  return IssuedToken{signer_.issue(user->id, unix_now()), signer_.ttl_seconds()};
}

Result<User> AuthService::authenticate(std::string_view bearer_token) {
  auto claims = signer_.verify(bearer_token, unix_now());
  COFFER_RETURN_IF_ERROR(claims);
  auto user = catalog_.find_user(claims->user_id);
  if (!user.is_ok()) {
    if (user.status().code() == Errc::kNotFound) {
      return Status(Errc::kUnauthenticated, "the token's user does not exist");
    }
    return user.status();
  }
  if (user->status != UserStatus::kActive) {
    return Status(Errc::kUnauthenticated, "the account is not active");
  }
  return user;
}

Result<User> AuthService::create_user(std::string_view username, std::string_view password,
                                      Role role) {
  COFFER_RETURN_IF_ERROR(validate_username(username));
  COFFER_RETURN_IF_ERROR(validate_password(password));
  auto hash = auth::hash_password(password);
  COFFER_RETURN_IF_ERROR(hash);
  return catalog_.create_user(std::string(username), *hash, role);
}

Status AuthService::set_password(std::string_view username, std::string_view password) {
  COFFER_RETURN_IF_ERROR(validate_password(password));
  auto user = catalog_.find_user_by_name(std::string(username));
  COFFER_RETURN_IF_ERROR(user);
  auto hash = auth::hash_password(password);
  COFFER_RETURN_IF_ERROR(hash);
  return catalog_.set_password_hash(user->id, *hash);
}

}  // namespace coffer::service
