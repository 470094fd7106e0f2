#pragma once
// A chunk's fast check: the xxHash3 (64-bit) of its uncompressed content, stored with the
// chunk's row in the catalog and compared on every read from local disk instead of hashing
// the content with SHA-256 again (docs/storage-format.md, "Verification"). It detects damage
// (bit rot, torn or misplaced writes) at memory speed; it does not stand up to someone who
// can write the store and wants a substitution to pass, which is why reads from a remote
// store, fsck and the scrubber keep verifying the SHA-256 that names the chunk.

#include <cstddef>
#include <cstdint>
#include <span>

#include "store/chunk_id.h"

namespace coffer::store {

// 0 is never a check: it means "not known" (chunks written before checks existed, and rows
// that do not carry one), and a reader then verifies the SHA-256.
inline constexpr uint64_t kNoChunkCheck = 0;

// The check of `content`; never kNoChunkCheck (the one content hashing to 0 gets 1).
uint64_t chunk_check(std::span<const std::byte> content);

// Whether `content` is the chunk `id`: by its check when `check` is known, else by its SHA-256.
bool content_matches(std::span<const std::byte> content, const ChunkId& id, uint64_t check);

}  // namespace coffer::store
