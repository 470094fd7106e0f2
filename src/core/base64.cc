#include "core/base64.h"

#include <sodium.h>

#include <cstring>

namespace coffer {
namespace {

int sodium_variant(Base64 alphabet) {
  return alphabet == Base64::kStandard ? sodium_base64_VARIANT_ORIGINAL
                                       : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

}  // namespace

std::string base64_encode(std::span<const unsigned char> bytes, Base64 alphabet) {
  const int variant = sodium_variant(alphabet);
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));  // the length includes a terminating NUL
  return out;
}

std::string base64_encode(std::string_view bytes, Base64 alphabet) {
  return base64_encode(
      std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()), alphabet);
}

std::optional<std::string> base64_decode(std::string_view text, Base64 alphabet) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  // Without an end pointer, sodium refuses input that is not base64 to its last byte.
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, nullptr, sodium_variant(alphabet)) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace coffer
