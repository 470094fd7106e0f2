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

// The n-th variant of a taken name: "report (2).pdf" (before the extension of a file,
// `before_extension`), "notes (3)", ".profile (2)", "Photos.2024 (2)" (a folder). The one rule
// for every place that tells same-named things apart (keep-both writes, WebDAV's shared entries,
// zip entries). REQUIRES: a normalised name. Variants past kMaxNameBytes shorten the stem at a
// character boundary, so the result is always a valid name.
std::string numbered_name(std::string_view name, int n, bool before_extension = true);

// True if `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

}  // namespace coffer
