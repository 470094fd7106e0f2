#pragma once
// Lower-case hex of bytes: digests as the catalog, ETags and checksum headers write them.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace coffer {

std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace coffer
