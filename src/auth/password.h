#pragma once
// Password hashing with Argon2id (libsodium). Parameters follow OWASP's minimum for Argon2id
// (19 MiB, 2 passes): a login costs tens of milliseconds and bounded memory.

#include <string>
#include <string_view>

#include "core/status.h"

namespace coffer::auth {

// Returns libsodium's self-describing encoded hash ("$argon2id$v=19$m=...").
Result<std::string> hash_password(std::string_view password);

// Constant-time check of `password` against an encoded hash.
bool verify_password(std::string_view password, const std::string& encoded_hash);

// Spends the same time as verify_password on a hash that can never match, so a login for an
// unknown user takes as long as one for a known user.
void burn_password_check(std::string_view password);

// A random password of `length` characters from an unambiguous alphabet.
std::string generate_password(size_t length = 20);

}  // namespace coffer::auth
