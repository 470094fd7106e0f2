#include "api/tus_headers.h"

#include <charconv>

#include "api/http_headers.h"
#include "core/base64.h"
#include "core/hex.h"

namespace coffer::api {
namespace {

Status invalid(std::string message) { return Status(Errc::kInvalidArgument, std::move(message)); }

}  // namespace

Result<std::optional<uint64_t>> parse_tus_number(std::string_view name, std::string_view value) {
  std::string_view text = trim_whitespace(value);
  if (text.empty()) return std::optional<uint64_t>();
  uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || text.front() == '+') {
    return invalid(std::string(name) + " must be a non-negative integer");
  }
  return std::optional<uint64_t>(number);
}

Result<std::map<std::string, std::string>> parse_upload_metadata(std::string_view value) {
  std::map<std::string, std::string> out;
  if (value.size() > kMaxUploadMetadataBytes) return invalid("Upload-Metadata is too long");
  while (!trim_whitespace(value).empty()) {
    const size_t comma = value.find(',');
    std::string_view pair = trim_whitespace(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    const size_t space = pair.find(' ');
    std::string key(pair.substr(0, space));
    if (key.empty()) return invalid("Upload-Metadata has an empty key");
    std::string decoded;
    if (space != std::string_view::npos) {
      auto bytes = base64_decode(trim_whitespace(pair.substr(space + 1)), Base64::kStandard);
      if (!bytes) return invalid("Upload-Metadata value of \"" + key + "\" is not base64");
      decoded = std::move(*bytes);
    }
    if (!out.emplace(std::move(key), std::move(decoded)).second) {
      return invalid("Upload-Metadata repeats a key");
    }
  }
  return out;
}

Result<std::optional<std::string>> parse_upload_checksum(std::string_view value) {
  std::string_view text = trim_whitespace(value);
  if (text.empty()) return std::optional<std::string>();
  const size_t space = text.find(' ');
  if (space == std::string_view::npos || text.substr(0, space) != "sha256") {
    return invalid("Upload-Checksum must use sha256 (Tus-Checksum-Algorithm)");
  }
  auto digest = base64_decode(trim_whitespace(text.substr(space + 1)), Base64::kStandard);
  if (!digest || digest->size() != 32) return invalid("Upload-Checksum digest is malformed");
  return std::optional<std::string>(to_hex(*digest));
}

}  // namespace coffer::api
