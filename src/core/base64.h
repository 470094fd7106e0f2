#pragma once
// Base64 (RFC 4648) in the two alphabets Coffer speaks: standard with padding (§4: HTTP
// digests, Basic credentials, tus metadata, sealed secrets) and URL-safe without padding
// (§5: tokens, signatures and cursors that travel in URLs and cookies).

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace coffer {

enum class Base64 {
  kStandard,  // A-Z a-z 0-9 + /, padded with '='
  kUrlSafe,   // A-Z a-z 0-9 - _, unpadded
};

std::string base64_encode(std::span<const unsigned char> bytes, Base64 alphabet);
std::string base64_encode(std::string_view bytes, Base64 alphabet);

// The decoded bytes; nullopt unless all of `text` is base64 of `alphabet` (no white space,
// padding exactly where the alphabet has it).
std::optional<std::string> base64_decode(std::string_view text, Base64 alphabet);

}  // namespace coffer
