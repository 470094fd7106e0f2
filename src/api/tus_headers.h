#pragma once
// The header values of the tus 1.0 protocol (https://tus.io/protocols/resumable-upload),
// parsed strictly: Upload-Length and Upload-Offset, Upload-Metadata, Upload-Checksum.
// Errors: kInvalidArgument, with a message that names the header.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace coffer::api {

// The longest Upload-Metadata accepted: a file name and a few keys fit many times over.
inline constexpr size_t kMaxUploadMetadataBytes = 4096;

// A number header (Upload-Length, Upload-Offset) of decimal digits only: tus forbids signs
// and spaces. nullopt when `value` is empty (the header is absent). `name` is for messages.
Result<std::optional<uint64_t>> parse_tus_number(std::string_view name, std::string_view value);

// Upload-Metadata: comma-separated "key base64value" pairs (the value may be absent), keys
// unique and non-empty.
Result<std::map<std::string, std::string>> parse_upload_metadata(std::string_view value);

// Upload-Checksum: "sha256 <base64 digest>", as lower-case hex; nullopt when `value` is empty.
Result<std::optional<std::string>> parse_upload_checksum(std::string_view value);

}  // namespace coffer::api
