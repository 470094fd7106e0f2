#include "api/http_headers.h"

#include <sodium.h>

#include <cctype>
#include <ctime>
#include <vector>

#include "core/base64.h"
#include "core/hex.h"

namespace coffer::api {
namespace {

std::vector<std::string_view> split_commas(std::string_view list) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    auto item = trim_whitespace(list.substr(pos, comma - pos));
    if (!item.empty()) out.push_back(item);
    pos = comma + 1;
  }
  return out;
}

Result<std::string> base64_sha256_to_hex(std::string_view b64) {
  auto digest = base64_decode(b64, Base64::kStandard);
  if (!digest || digest->size() != 32) {
    return Status(Errc::kInvalidArgument, "the sha-256 digest is not 32 bytes of base64");
  }
  return to_hex(*digest);
}

// Finds "sha-256=<value>" in a Digest-style list.
std::optional<std::string_view> digest_item(std::string_view list) {
  for (auto item : split_commas(list)) {
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string algo(trim_whitespace(item.substr(0, eq)));
    for (auto& c : algo) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (algo == "sha-256") return trim_whitespace(item.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace

std::string_view trim_whitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string http_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::optional<int64_t> parse_http_date(std::string_view text) {
  std::string s(trim_whitespace(text));
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::string content_disposition(std::string_view disposition, std::string_view filename) {
  std::string fallback;
  for (unsigned char c : filename) {
    fallback +=
        (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%') ? static_cast<char>(c) : '_';
  }
  std::string encoded;
  for (unsigned char c : filename) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      encoded += buf;
    }
  }
  return std::string(disposition) + "; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

bool accepts_encoding(std::string_view header, std::string_view coding) {
  bool star = false;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = trim_whitespace(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    std::string_view name = item;
    bool refused = false;
    if (const size_t semi = item.find(';'); semi != std::string_view::npos) {
      name = trim_whitespace(item.substr(0, semi));
      std::string_view params = trim_whitespace(item.substr(semi + 1));
      if (params.starts_with("q=") || params.starts_with("Q=")) {
        std::string_view q = params.substr(2);
        refused = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == coding) return !refused;
    if (lower == "*") star = !refused;
  }
  return star;
}

bool etag_list_matches(std::string_view list, std::string_view etag, bool weak) {
  for (auto item : split_commas(list)) {
    if (item == "*") return true;
    bool item_weak = item.starts_with("W/");
    if (item_weak) {
      if (!weak) continue;  // a weak validator never matches strongly
      item.remove_prefix(2);
    }
    if (item == etag) return true;
  }
  return false;
}

Result<std::optional<std::string>> declared_sha256(std::string_view content_sha256,
                                                   std::string_view digest,
                                                   std::string_view repr_digest) {
  content_sha256 = trim_whitespace(content_sha256);
  if (!content_sha256.empty()) {
    if (content_sha256.size() != 64) {
      return Status(Errc::kInvalidArgument, "Content-SHA256 must be 64 hex characters");
    }
    std::string hex;
    for (unsigned char c : content_sha256) {
      if (!std::isxdigit(c)) return Status(Errc::kInvalidArgument, "Content-SHA256 must be hex");
      hex += static_cast<char>(std::tolower(c));
    }
    return std::optional<std::string>(hex);
  }
  if (auto item = digest_item(repr_digest)) {
    std::string_view v = *item;
    if (v.size() < 2 || v.front() != ':' || v.back() != ':') {
      return Status(Errc::kInvalidArgument, "Repr-Digest values are :base64: byte sequences");
    }
    auto hex = base64_sha256_to_hex(v.substr(1, v.size() - 2));
    COFFER_RETURN_IF_ERROR(hex);
    return std::optional<std::string>(*hex);
  }
  if (auto item = digest_item(digest)) {
    auto hex = base64_sha256_to_hex(*item);
    COFFER_RETURN_IF_ERROR(hex);
    return std::optional<std::string>(*hex);
  }
  return std::optional<std::string>();
}

}  // namespace coffer::api
