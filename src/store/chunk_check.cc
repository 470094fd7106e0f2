#include "store/chunk_check.h"

#include <xxhash.h>

namespace coffer::store {

uint64_t chunk_check(std::span<const std::byte> content) {
  const uint64_t check = XXH3_64bits(content.data(), content.size());
  return check == kNoChunkCheck ? 1 : check;
}

bool content_matches(std::span<const std::byte> content, const ChunkId& id, uint64_t check) {
  return check != kNoChunkCheck ? chunk_check(content) == check : ChunkId::of(content) == id;
}

}  // namespace coffer::store
