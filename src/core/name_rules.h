#pragma once
// The rules every file and folder name obeys, in every interface (REST, WebDAV, tus):
// valid UTF-8, normalised to NFC so that "é" typed on macOS and on Linux is the same name;
// no '/', NUL or control characters; not "." or ".."; 1 to 255 bytes after normalisation.

#include <string>
#include <string_view>

#include "core/status.h"

namespace coffer {

inline constexpr size_t kMaxNameBytes = 255;

// Returns the NFC form of `name`, or kInvalidName with a message saying which rule failed.
Result<std::string> normalize_name(std::string_view name);

// True if `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

}  // namespace coffer
