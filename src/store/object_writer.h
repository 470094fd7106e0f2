#pragma once
// The upload data path: bytes in, durable content-addressed chunks out. Splits the stream with
// the Chunker, hashes each chunk and the whole object, skips chunks the store already has
// (deduplication), encodes the rest with ChunkCodec and puts them durably into the
// ChunkStore. After finish() every chunk of the manifest is durable, so the metadata that
// references them may commit (with a ChunkBatch: once the batch is flushed).

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/status.h"
#include "store/chunk_codec.h"
#include "store/chunk_store.h"
#include "store/chunker.h"
#include "store/inflight_chunks.h"

namespace coffer::store {

struct ChunkRef {
  ChunkId id;
  uint64_t offset = 0;       // position of the chunk in the object
  uint32_t size = 0;         // raw (uncompressed) size
  uint32_t stored_size = 0;  // encoded size in the chunk store
  ChunkEncoding encoding = ChunkEncoding::kRaw;
  uint64_t check = 0;  // store/chunk_check.h; 0 (kNoChunkCheck): unknown, verify the SHA-256
};

struct ObjectManifest {
  std::vector<ChunkRef> chunks;
  uint64_t size = 0;
  std::array<uint8_t, 32> sha256{};
  uint64_t new_stored_bytes = 0;  // bytes this upload added to the store (0 on full dedup)
};

class ChunkBatch;

struct WriterOptions {
  int zstd_level = 1;
  // When set, new chunks go into this batch instead of the store (store/chunk_batch.h), and
  // are durable only once the batch is flushed; chunks it holds count as stored. Must outlive
  // the writer.
  ChunkBatch* batch = nullptr;
};

// Not thread-safe: one thread calls write() and finish(). An object larger than the cut buffer
// is processed by worker threads that the writer starts and joins itself; memory stays
// bounded (about 6 x max chunk size) whatever the object size.
class ObjectWriter {
 public:
  // All references must outlive the writer.
  ObjectWriter(ChunkStore& store, const Chunker& chunker, InflightChunks& inflight,
               WriterOptions options = {});
  ~ObjectWriter();  // releases the in-flight pins of every chunk written
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  // Appends data. May write complete chunks to the store. A failed Status is final: the
  // writer is unusable afterwards.
  Status write(std::span<const std::byte> data);

  // Flushes the last chunk and returns the manifest (with WriterOptions::batch, into the
  // batch). The chunks stay pinned in `inflight`
  // (safe from GC) until this writer is destroyed, which the caller does after the metadata
  // commit.
  Result<ObjectManifest> finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coffer::store
