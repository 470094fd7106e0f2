#pragma once
// Lower-case hex of bytes: digests as the catalog, ETags and checksum headers write them. The
// one encoder; parsing hex stays with the types that read it (store::ChunkId::from_hex).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace coffer {

std::string to_hex(std::span<const uint8_t> bytes);
inline std::string to_hex(std::span<const std::byte> bytes) {
  return to_hex(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}
inline std::string to_hex(std::string_view bytes) {
  return to_hex(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace coffer
