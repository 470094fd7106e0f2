#pragma once
// JSON in and out of handlers: bounded body parsing and the JSON shapes of domain objects.

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "api/exchange.h"
#include "core/model.h"
#include "core/status.h"

namespace coffer::api {

inline constexpr size_t kMaxJsonBodyBytes = 64 * 1024;

// The whole body of a request, when it has at most `max_bytes`. Errors: kPayloadTooLarge
// (with the message `too_large`), body errors.
Result<std::string> read_small_body(Request& request, size_t max_bytes, std::string_view too_large);

// Reads and parses a JSON object body of at most kMaxJsonBodyBytes. A request without a body
// (no Content-Length, or Content-Length: 0) reads as the empty object whatever its
// Content-Type, and so does an empty chunked JSON body: for a route with optional members
// that is "no options"; for one with required members, each is missing (kInvalidArgument).
// Errors: kInvalidJson, kPayloadTooLarge, kUnsupportedMediaType (a body whose Content-Type is
// not JSON), body errors.
Result<boost::json::object> read_json_object(Request& request);

Response json_response(int status, const boost::json::value& value);

// "2026-11-22T20:03:00.123456Z"
std::string rfc3339(Micros t);
// Parses what rfc3339() writes (UTC, "Z" or "+00:00", optional fraction); nullopt otherwise.
std::optional<Micros> parse_rfc3339(std::string_view text);

boost::json::object node_json(const Node& node);

// id, username, role, status, root_id, created, quota_bytes (null: the default). Never the
// password hash.
boost::json::object user_json(const User& user);

// The strong ETag of a file version: its SHA-256, quoted.
std::string etag_for(const Node& file);

// Optional typed members; a member of the wrong type is kInvalidArgument.
Result<std::optional<std::string>> optional_string(const boost::json::object& o, const char* key);
Result<std::optional<int64_t>> optional_int(const boost::json::object& o, const char* key);

// Parses a positive decimal id from a path segment or query value. Errors: kNotFound for
// path ids (an id that cannot exist does not exist), kInvalidArgument otherwise.
Result<int64_t> parse_id(std::string_view text, Errc error = Errc::kNotFound);

}  // namespace coffer::api
