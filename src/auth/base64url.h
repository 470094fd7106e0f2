#pragma once
// base64url without padding (RFC 4648 §5), the encoding of tokens and signatures in URLs.

#include <cstddef>
#include <string>

namespace coffer::auth {

std::string base64url(const unsigned char* data, size_t size);

}  // namespace coffer::auth
