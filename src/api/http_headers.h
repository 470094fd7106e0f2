#pragma once
// Header values with rules of their own: HTTP dates, Content-Disposition, ETag lists and
// body digests.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace coffer::api {

// `s` without leading and trailing spaces and tabs (HTTP's optional whitespace).
std::string_view trim_whitespace(std::string_view s);

// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(int64_t unix_seconds);
std::optional<int64_t> parse_http_date(std::string_view text);

// `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266).
std::string content_disposition(std::string_view disposition, std::string_view filename);

// Whether Accept-Encoding allows `coding` (RFC 9110 §12.5.3): listed, or covered by "*", with
// a q-value above zero. `coding` in lower case.
bool accepts_encoding(std::string_view header, std::string_view coding);

// True if a comma-separated If-Match / If-None-Match list matches `etag` ("*" matches any).
// Weak comparison when `weak` is true (If-None-Match), strong otherwise.
bool etag_list_matches(std::string_view list, std::string_view etag, bool weak);

// The SHA-256 a client declared for the body, as lower-case hex, from `Content-SHA256`
// (hex), `Digest: sha-256=<base64>` or `Repr-Digest: sha-256=:<base64>:`. nullopt when none
// is declared; kInvalidArgument when one is malformed.
Result<std::optional<std::string>> declared_sha256(std::string_view content_sha256,
                                                   std::string_view digest,
                                                   std::string_view repr_digest);

}  // namespace coffer::api
