#pragma once
// Opaque bearer secrets (refresh tokens, personal API tokens): 256 random bits, base64url,
// behind a short prefix that tells the kind (and lets secret scanners find leaked ones). Only
// their SHA-256 is stored; a lookup by hash needs no constant-time comparison because the
// hash of an unguessable secret leaks nothing useful.

#include <string>
#include <string_view>

namespace coffer::auth {

inline constexpr std::string_view kRefreshTokenPrefix = "cfr_";
inline constexpr std::string_view kApiTokenPrefix = "cft_";

// prefix + 43 base64url characters.
std::string new_opaque_token(std::string_view prefix);

// Lower-case hex SHA-256 of the whole token, as stored.
std::string opaque_token_hash(std::string_view token);

}  // namespace coffer::auth
