#pragma once
// HTTP cookies (RFC 6265): reading one value from a Cookie header, and Set-Cookie values for
// the refresh-token and CSRF cookies of browser sessions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coffer::api {

// The value of cookie `name` in a Cookie request header, or nullopt.
std::optional<std::string_view> cookie_value(std::string_view cookie_header, std::string_view name);

struct CookieOptions {
  std::string path = "/";
  int64_t max_age_seconds = -1;  // -1: a session cookie; 0: delete it now
  bool http_only = true;
  bool secure = true;
};

// A Set-Cookie header value, always SameSite=Strict. `value` must be cookie-safe
// (base64url tokens are).
std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& opts);

}  // namespace coffer::api
