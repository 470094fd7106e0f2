#include "service/upload_policy.h"

#include <algorithm>
#include <charconv>

namespace coffer::service {
namespace {

bool valid_pattern(std::string_view p) {
  const size_t slash = p.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == p.size()) return false;
  if (p.find('/', slash + 1) != std::string_view::npos) return false;
  const std::string_view top = p.substr(0, slash);
  const std::string_view sub = p.substr(slash + 1);
  if (top == "*" && sub != "*") return false;
  auto token = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
             c == '*';
    });
  };
  return token(top) && token(sub) && (sub == "*" || sub.find('*') == std::string_view::npos) &&
         (top == "*" || top.find('*') == std::string_view::npos);
}

}  // namespace

bool mime_matches(std::string_view pattern, std::string_view mime) {
  if (pattern == "*/*") return true;
  if (pattern.ends_with("/*")) {
    return mime.size() > pattern.size() - 1 &&
           mime.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  return pattern == mime;
}

Result<std::pair<std::string, uint64_t>> UploadPolicy::parse_type_limit(std::string_view text) {
  const size_t eq = text.rfind('=');
  Status bad(Errc::kInvalidArgument,
             "a per-type size limit is TYPE=BYTES, e.g. image/*=5242880, not " + std::string(text));
  if (eq == std::string_view::npos) return bad;
  std::string pattern(text.substr(0, eq));
  std::string_view number = text.substr(eq + 1);
  uint64_t bytes = 0;
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), bytes);
  if (ec != std::errc() || p != number.data() + number.size() || bytes == 0 ||
      !valid_pattern(pattern)) {
    return bad;
  }
  return std::pair{std::move(pattern), bytes};
}

Status UploadPolicy::validate() const {
  for (const auto* list : {&allowed, &denied}) {
    for (const std::string& p : *list) {
      if (!valid_pattern(p)) {
        return Status(Errc::kInvalidArgument,
                      "a content type pattern is type/subtype or type/* in lower case, not " + p);
      }
    }
  }
  for (const auto& [p, bytes] : max_size_by_type) {
    if (!valid_pattern(p) || bytes == 0) {
      return Status(Errc::kInvalidArgument, "invalid per-type size limit for " + p);
    }
  }
  return Status::ok();
}

Status UploadPolicy::check_type(std::string_view mime) const {
  auto any = [&](const std::vector<std::string>& list) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& p) { return mime_matches(p, mime); });
  };
  if (any(denied) || (!allowed.empty() && !any(allowed))) {
    return Status(Errc::kTypeNotAllowed,
                  "files of type " + std::string(mime) + " are not accepted here");
  }
  return Status::ok();
}

std::optional<uint64_t> UploadPolicy::size_limit(std::string_view mime) const {
  std::optional<uint64_t> limit = overall_limit();
  for (const auto& [p, bytes] : max_size_by_type) {
    if (mime_matches(p, mime) && (!limit || bytes < *limit)) limit = bytes;
  }
  return limit;
}

std::optional<uint64_t> UploadPolicy::overall_limit() const {
  return max_size > 0 ? std::optional<uint64_t>(max_size) : std::nullopt;
}

Status file_too_large(uint64_t size, uint64_t limit, std::string_view mime) {
  return Status(Errc::kFileTooLarge, "the file (" + std::to_string(size) +
                                         " bytes or more) is over the limit of " +
                                         std::to_string(limit) + " bytes for " + std::string(mime));
}

}  // namespace coffer::service
