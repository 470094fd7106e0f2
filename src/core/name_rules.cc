#include "core/name_rules.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace coffer {

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) return false;
    p += n;
    left -= n;
  }
  return true;
}

Result<std::string> normalize_name(std::string_view name) {
  if (name.empty()) return Status(Errc::kInvalidName, "name must not be empty");
  if (!is_valid_utf8(name)) return Status(Errc::kInvalidName, "name is not valid UTF-8");
  for (unsigned char c : name) {
    if (c == '/') return Status(Errc::kInvalidName, "name must not contain '/'");
    if (c < 0x20 || c == 0x7f) {
      return Status(Errc::kInvalidName, "name must not contain control characters");
    }
  }
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(name.data()),
                   static_cast<utf8proc_ssize_t>(name.size()), &out,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(out, &std::free);
  if (n < 0) return Status(Errc::kInvalidName, "name is not valid UTF-8");
  std::string normalized(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  // C1 controls (U+0080..U+009F) are encoded as 0xC2 0x80..0x9F.
  for (size_t i = 0; i + 1 < normalized.size(); ++i) {
    if (static_cast<unsigned char>(normalized[i]) == 0xC2 &&
        static_cast<unsigned char>(normalized[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(normalized[i + 1]) <= 0x9F) {
      return Status(Errc::kInvalidName, "name must not contain control characters");
    }
  }
  if (normalized == "." || normalized == "..") {
    return Status(Errc::kInvalidName, "name must not be '.' or '..'");
  }
  if (normalized.size() > kMaxNameBytes) {
    return Status(Errc::kInvalidName, "name must be at most 255 bytes");
  }
  return normalized;
}

std::string numbered_name(std::string_view name, int n, bool before_extension) {
  const std::string suffix = " (" + std::to_string(n) + ")";
  const size_t dot = name.rfind('.');
  // An extension too long to keep beside the number counts as part of the stem.
  const bool has_ext = before_extension && dot != std::string_view::npos && dot > 0 &&
                       name.size() - dot + suffix.size() < kMaxNameBytes;
  std::string_view stem = has_ext ? name.substr(0, dot) : name;
  const std::string_view ext = has_ext ? name.substr(dot) : std::string_view();
  const size_t room = kMaxNameBytes - suffix.size() - ext.size();
  if (stem.size() > room) {
    stem = stem.substr(0, room);
    // Not into the middle of a UTF-8 sequence: back to the start of the cut character.
    while (!stem.empty() && (static_cast<unsigned char>(name[stem.size()]) & 0xC0) == 0x80) {
      stem.remove_suffix(1);
    }
  }
  return std::string(stem) + suffix + std::string(ext);
}

}  // namespace coffer
