#pragma once
// The media type for a file name, by extension. Content sniffing (libmagic) arrives with the
// media issue; until then the extension decides and "application/octet-stream" is the default.

#include <string_view>

namespace coffer {

std::string_view mime_type_for_name(std::string_view name);

// True for types a browser may display inline without risk (no script execution): images
// other than SVG, audio, video, PDF and plain text. Everything else is served as attachment.
bool is_inline_safe_mime(std::string_view mime);

}  // namespace coffer
