#pragma once
// Content sniffing: the MIME type of a content from its first bytes (libmagic), so that
// decisions (upload policies, thumbnails, inline display) never trust the client's claim.
// libmagic stays inside this file pair.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace coffer::media {

// How many leading bytes sniff_mime looks at; uploads keep this much of the stream.
inline constexpr size_t kSniffBytes = 64 * 1024;

// The MIME type of a content that begins with `head` (at most kSniffBytes of it), e.g.
// "image/png", "text/plain", "application/octet-stream" when nothing matches. Thread-safe.
std::string sniff_mime(std::span<const std::byte> head);

// The type to record and decide on: the sniffed one, except that a plain-text sniff is
// narrowed to the declared type when that is a more specific text format libmagic cannot tell
// apart from plain text (Markdown, CSV, TSV). Never widens to a type the content contradicts.
std::string effective_mime(std::string_view sniffed, std::string_view declared);

}  // namespace coffer::media
