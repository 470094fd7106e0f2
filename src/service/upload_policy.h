#pragma once
// Upload policies (configuration): which content types may be stored and how large a file
// may be, overall and per type. Types are the sniffed ones (media/sniffer.h), never the
// client's claim. Patterns are exact types ("image/png") or a top-level wildcard ("image/*");
// "*/*" matches everything.
//
// Example, an image host: allowed = {"image/jpeg", "image/png", "image/webp", "image/gif"},
// max_size = 5 MiB.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace coffer::service {

bool mime_matches(std::string_view pattern, std::string_view mime);

struct UploadPolicy {
  std::vector<std::string> allowed;  // empty: every type not denied
  std::vector<std::string> denied;   // wins over allowed
  uint64_t max_size = 0;             // bytes, every type; 0: no limit
  // (pattern, bytes): a type matching several patterns gets the smallest limit.
  std::vector<std::pair<std::string, uint64_t>> max_size_by_type;

  // "PATTERN=BYTES" (the CLI and file form of one max_size_by_type entry). Errors:
  // kInvalidArgument.
  static Result<std::pair<std::string, uint64_t>> parse_type_limit(std::string_view text);
  // Errors: kInvalidArgument (a malformed pattern).
  Status validate() const;

  // Errors: kTypeNotAllowed.
  Status check_type(std::string_view mime) const;
  // The size limit for a type (max_size and matching per-type limits); nullopt: none.
  std::optional<uint64_t> size_limit(std::string_view mime) const;
  // The limit that holds whatever the type: max_size, or nullopt.
  std::optional<uint64_t> overall_limit() const;
};

// kFileTooLarge for `size` bytes against `limit`, with a message naming both.
Status file_too_large(uint64_t size, uint64_t limit, std::string_view mime);

}  // namespace coffer::service
