#include "store/chunk_id.h"

#include "core/hex.h"
#include "store/sha256.h"

namespace coffer::store {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ChunkId::hex() const { return to_hex(std::span<const uint8_t>(bytes)); }

std::optional<ChunkId> ChunkId::from_hex(std::string_view hex) {
  ChunkId id;
  if (hex.size() != 2 * id.bytes.size()) return std::nullopt;
  for (size_t i = 0; i < id.bytes.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return id;
}

ChunkId ChunkId::of(std::span<const std::byte> data) { return ChunkId{Sha256::digest(data)}; }

}  // namespace coffer::store
