#pragma once
// Who is calling: password login that issues access tokens, and token authentication. The
// accounts issue deepens this (refresh tokens, MFA, lockout); callers only see these calls.

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/token_signer.h"
#include "core/model.h"
#include "core/status.h"
#include "meta/catalog.h"

namespace coffer::service {

struct IssuedToken {
  std::string access_token;
  int64_t expires_in = 0;  // seconds
};

class AuthService {
 public:
  AuthService(meta::Catalog& catalog, auth::TokenSigner signer);

  // Errors: kInvalidCredentials — the same status, message and (roughly) time whether the
  // user is unknown, disabled, or the password is wrong.
  Result<IssuedToken> login(std::string_view username, std::string_view password);

  // Validates a bearer token and that its user is still active. Errors: kUnauthenticated.
  Result<User> authenticate(std::string_view bearer_token);

  // Creates a user with a hashed password. Errors: kInvalidArgument (username or password
  // rules), kAlreadyExists.
  Result<User> create_user(std::string_view username, std::string_view password, Role role);
  Status set_password(std::string_view username, std::string_view password);

 private:
  meta::Catalog& catalog_;
  auth::TokenSigner signer_;
};

// Usernames: 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit.
Status validate_username(std::string_view username);
// Passwords: 8 to 1024 bytes (the accounts issue adds the common-password list).
Status validate_password(std::string_view password);

}  // namespace coffer::service
