#pragma once
// New chunks waiting to be stored together (ChunkStore::put_many), so that several uploads
// committed together (a sync client's bulk upload) share one sync instead of paying one each.
// An ObjectWriter given a batch (WriterOptions::batch) adds its new chunks here instead of
// putting them; they are durable only once flush() returned OK, and nothing may reference
// them in the metadata before that. A batch holding more than `flush_bytes` flushes itself
// as chunks are added, so its memory stays bounded whatever the uploads' sizes.
//
// A failed flush is final: the chunks it held may or may not be stored, so every later add()
// and flush() returns that failure, and nothing written through the batch may commit.
//
// Thread-safe (an ObjectWriter's workers add concurrently).

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "store/chunk_codec.h"
#include "store/chunk_id.h"
#include "store/chunk_store.h"

namespace coffer::store {

class ChunkBatch {
 public:
  static constexpr size_t kDefaultFlushBytes = 16 << 20;

  // `store` must outlive the batch.
  explicit ChunkBatch(ChunkStore& store, size_t flush_bytes = kDefaultFlushBytes);
  ChunkBatch(const ChunkBatch&) = delete;
  ChunkBatch& operator=(const ChunkBatch&) = delete;

  // Keeps a copy of `encoded` (the chunk `id`, encoded as `encoding`) for the next flush; an
  // id already held is kept once. May flush (see above), and then returns its status.
  Status add(const ChunkId& id, ChunkEncoding encoding, std::span<const std::byte> encoded);

  // The encoding and stored size of `id` while the batch holds it (not yet flushed).
  struct Held {
    ChunkEncoding encoding;
    uint64_t stored_size;
  };
  std::optional<Held> find(const ChunkId& id) const;

  // Stores every chunk held in one ChunkStore::put_many and forgets them. OK (with nothing
  // held) once all are durable.
  Status flush();

 private:
  struct Chunk {
    ChunkEncoding encoding;
    std::vector<std::byte> encoded;
  };
  // REQUIRES: mu_ is held.
  Status flush_locked();

  ChunkStore& store_;
  const size_t flush_bytes_;
  mutable std::mutex mu_;
  std::unordered_map<ChunkId, Chunk, ChunkIdHash> held_;  // GUARDED_BY(mu_)
  size_t held_bytes_ = 0;                                 // GUARDED_BY(mu_)
  Status failure_;                                        // GUARDED_BY(mu_); final
};

}  // namespace coffer::store
