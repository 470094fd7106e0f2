#pragma once
// A chunk's address: the SHA-256 of its uncompressed content.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace coffer::store {

struct ChunkId {
  std::array<uint8_t, 32> bytes{};

  // Lower-case hex, 64 characters.
  std::string hex() const;
  // Parses 64 hex characters (either case); nullopt otherwise.
  static std::optional<ChunkId> from_hex(std::string_view hex);
  // SHA-256 of data.
  static ChunkId of(std::span<const std::byte> data);

  friend bool operator==(const ChunkId&, const ChunkId&) = default;
  friend auto operator<=>(const ChunkId&, const ChunkId&) = default;
};

struct ChunkIdHash {
  size_t operator()(const ChunkId& id) const noexcept {
    size_t h;
    static_assert(sizeof(h) <= sizeof(id.bytes));
    __builtin_memcpy(&h, id.bytes.data(), sizeof(h));
    return h;
  }
};

}  // namespace coffer::store
