#include "api/range.h"

#include <charconv>

#include <optional>
#include "api/http_headers.h"

namespace coffer::api {
namespace {

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

ByteRange parse_range(std::string_view header, uint64_t size) {
  header = trim_whitespace(header);
  constexpr std::string_view kUnit = "bytes=";
  if (header.size() <= kUnit.size()) return {};
  for (size_t i = 0; i < kUnit.size(); ++i) {
    if ((header[i] | 0x20) != kUnit[i] && header[i] != kUnit[i]) return {};
  }
  std::string_view spec = trim_whitespace(header.substr(kUnit.size()));
  if (spec.find(',') != std::string_view::npos) return {};  // multiple ranges: ignore
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return {};
  std::string_view a = trim_whitespace(spec.substr(0, dash));
  std::string_view b = trim_whitespace(spec.substr(dash + 1));
  ByteRange unsatisfiable{ByteRange::Kind::kUnsatisfiable, 0, 0};
  if (a.empty()) {  // suffix range: the last N bytes
    auto n = parse_u64(b);
    if (!n) return {};
    if (*n == 0 || size == 0) return unsatisfiable;
    uint64_t len = *n < size ? *n : size;
    return {ByteRange::Kind::kSatisfiable, size - len, size - 1};
  }
  auto first = parse_u64(a);
  if (!first) return {};
  uint64_t last = 0;
  if (b.empty()) {
    if (*first >= size) return unsatisfiable;
    last = size - 1;
  } else {
    auto l = parse_u64(b);
    if (!l || *l < *first) return {};
    if (*first >= size) return unsatisfiable;
    last = *l < size ? *l : size - 1;
  }
  return {ByteRange::Kind::kSatisfiable, *first, last};
}

}  // namespace coffer::api
