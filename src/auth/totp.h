#pragma once
// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps,
// six digits — what every authenticator app speaks — and the otpauth:// URI that enrols one.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coffer::auth {

inline constexpr int64_t kTotpStepSeconds = 30;

// RFC 4648 base32 without padding (what otpauth URIs carry), and back (padding, spaces and
// case tolerated). decode returns nullopt for a character outside the alphabet.
std::string base32_encode(const std::vector<unsigned char>& bytes);
std::optional<std::vector<unsigned char>> base32_decode(std::string_view text);

// The `digits`-digit HOTP value for `counter`, zero-padded.
std::string hotp(const std::vector<unsigned char>& secret, uint64_t counter, int digits = 6);

// The time step matched by `code` within ±1 step of `now_unix`, or nullopt. A step at or
// below `last_used_step` never matches, so a code cannot be replayed. Comparison is constant
// time.
std::optional<int64_t> totp_match(const std::vector<unsigned char>& secret, std::string_view code,
                                  int64_t now_unix, int64_t last_used_step, int digits = 6);

// otpauth://totp/Issuer:account?secret=...&issuer=Issuer&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        const std::vector<unsigned char>& secret);

}  // namespace coffer::auth
