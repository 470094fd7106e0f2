#include "api/json_io.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <ctime>

namespace coffer::api {

Result<std::string> read_small_body(Request& request, size_t max_bytes,
                                    std::string_view too_large) {
  std::string text;
  std::byte buf[16 * 1024];
  for (;;) {
    auto n = request.body->read(buf);
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) break;
    if (text.size() + *n > max_bytes) return Status(Errc::kPayloadTooLarge, std::string(too_large));
    text.append(reinterpret_cast<const char*>(buf), *n);
  }
  return text;
}

namespace {

// Boost.JSON reads a number beyond a double's range as infinity, which JSON cannot write back.
// Recursion is bounded by the parser's max_depth.
bool all_numbers_finite(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::double_:
      return std::isfinite(value.get_double());
    case boost::json::kind::array:
      for (const auto& item : value.get_array()) {
        if (!all_numbers_finite(item)) return false;
      }
      return true;
    case boost::json::kind::object:
      for (const auto& member : value.get_object()) {
        if (!all_numbers_finite(member.value())) return false;
      }
      return true;
    default:
      return true;
  }
}

}  // namespace

Result<boost::json::object> read_json_object(Request& request) {
  // No body at all (no Content-Length, or 0): no options, whatever the Content-Type says.
  if (request.body->finished() || request.body->content_length() == 0) {
    return boost::json::object();
  }
  std::string_view type = request.header("Content-Type");
  if (!type.empty() && type.substr(0, type.find(';')).find("json") == std::string_view::npos) {
    return Status(Errc::kUnsupportedMediaType, "the body must be application/json");
  }
  if (auto len = request.body->content_length(); len && *len > kMaxJsonBodyBytes) {
    return Status(Errc::kPayloadTooLarge, "JSON bodies are limited to 64 KiB");
  }
  auto body = read_small_body(request, kMaxJsonBodyBytes, "JSON bodies are limited to 64 KiB");
  COFFER_RETURN_IF_ERROR(body);
  const std::string& text = *body;
  if (text.empty()) return boost::json::object();  // a chunked body without data
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 32;
  auto value = boost::json::parse(text, ec, {}, options);
  if (ec) return Status(Errc::kInvalidJson, "the body is not valid JSON: " + ec.message());
  if (!value.is_object()) return Status(Errc::kInvalidJson, "the body must be a JSON object");
  if (!all_numbers_finite(value)) {
    return Status(Errc::kInvalidJson, "the body holds a number beyond the range of a double");
  }
  return std::move(value.as_object());
}

Response json_response(int status, const boost::json::value& value) {
  Response response;
  response.status = status;
  response.body = boost::json::serialize(value);
  response.compressible = true;
  response.set_header("Content-Type", "application/json");
  response.set_header("Cache-Control", "no-store");
  return response;
}

std::string rfc3339(Micros t) {
  std::time_t seconds = static_cast<std::time_t>(t / 1'000'000);
  long micros = static_cast<long>(t % 1'000'000);
  if (micros < 0) {
    micros += 1'000'000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
  return buf;
}

std::string etag_for(const Node& file) { return "\"" + file.sha256 + "\""; }

boost::json::object node_json(const Node& node) {
  boost::json::object o;
  o["id"] = node.id;
  if (node.parent_id != 0) {
    o["parent_id"] = node.parent_id;
  } else {
    o["parent_id"] = nullptr;
  }
  o["name"] = node.name;
  o["type"] = node.kind == NodeKind::kFolder ? "folder" : "file";
  o["created"] = rfc3339(node.created);
  o["modified"] = rfc3339(node.modified);
  if (node.kind == NodeKind::kFile) {
    o["size"] = node.size;
    o["sha256"] = node.sha256;
    o["mime"] = node.mime;  // sniffed from the content
    o["declared_mime"] = node.declared_mime.empty() ? boost::json::value(nullptr)
                                                    : boost::json::value(node.declared_mime);
    o["etag"] = etag_for(node);
    o["version_id"] = node.version_id;
  }
  return o;
}

std::optional<Micros> parse_rfc3339(std::string_view text) {
  if (text.size() < 20 || text.size() > 40) return std::nullopt;
  std::string s(text);
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  Micros fraction = 0;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    Micros scale = 100000;
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
      fraction += (s[i] - '0') * scale;
      scale /= 10;
    }
  }
  const std::string_view zone = std::string_view(s).substr(i);
  if (zone != "Z" && zone != "+00:00") return std::nullopt;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<Micros>(timegm(&tm)) * 1'000'000 + fraction;
}

boost::json::object user_json(const User& user) {
  boost::json::object o{{"id", user.id},
                        {"username", user.username},
                        {"role", role_name(user.role)},
                        {"status", user_status_name(user.status)},
                        {"root_id", user.root_id},
                        {"created", rfc3339(user.created)}};
  if (user.quota_bytes) {
    o["quota_bytes"] = *user.quota_bytes;
  } else {
    o["quota_bytes"] = nullptr;
  }
  return o;
}

Result<std::optional<std::string>> optional_string(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string())
    return Status(Errc::kInvalidArgument, std::string(key) + " must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::optional<int64_t>> optional_int(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
    return std::optional<int64_t>(static_cast<int64_t>(v->as_uint64()));
  }
  return Status(Errc::kInvalidArgument, std::string(key) + " must be an integer");
}

Result<int64_t> parse_id(std::string_view text, Errc error) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0) {
    return Status(error, error == Errc::kNotFound ? "no such node" : "invalid id");
  }
  return id;
}

}  // namespace coffer::api
