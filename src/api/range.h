#pragma once
// Single byte-range requests (RFC 9110 §14). Multiple ranges and syntactically invalid
// headers are ignored — the whole representation is served, as the RFC allows.

#include <cstdint>
#include <string_view>

namespace coffer::api {

struct ByteRange {
  enum class Kind { kNone, kSatisfiable, kUnsatisfiable };
  Kind kind = Kind::kNone;
  uint64_t first = 0;  // inclusive
  uint64_t last = 0;   // inclusive
  uint64_t length() const { return last - first + 1; }
};

// Interprets a Range header value against a representation of `size` bytes.
ByteRange parse_range(std::string_view header, uint64_t size);

}  // namespace coffer::api
