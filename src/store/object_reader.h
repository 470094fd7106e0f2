#pragma once
// The download data path: streams a byte range of an object by reading its chunks in order.
// Starts at the chunk holding the first requested byte (binary search on chunk offsets).
//
// Every chunk is verified before any of its bytes is handed out: it is read whole, decoded
// if compressed, and its content hashed and compared, on every store and for raw chunks too:
// with its fast check (xxHash3, store/chunk_check.h) when the catalog knows it and the store
// is a local disk, else with its ChunkId (SHA-256). A range request therefore reads and hashes each
// chunk it touches whole (at most 4 MiB), not just the bytes it asks for. One chunk is held at a
// time, in a buffer reused from chunk to chunk (plus the decoded form of a compressed chunk), so
// memory stays flat however large the object is.
//
// A chunk that fails verification, or is missing from the store, is a kCorruption error and
// is reported once to the DamageHandler; it is never served. Callers that start a response
// call prepare() first, so that a damaged first chunk becomes an error response rather than
// a response cut short.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/byte_source.h"
#include "store/chunk_store.h"
#include "store/object_writer.h"

namespace coffer::store {

class ObjectReader : public ByteSource {
 public:
  // Told about a chunk that failed verification or is missing, with the error: at most once
  // per reader (the failure sticks). Called on the reading thread.
  using DamageHandler = std::function<void(const ChunkId&, const Status&)>;

  // Streams bytes [offset, offset + length) of the object described by `chunks` (ordered by
  // offset, contiguous). REQUIRES: offset + length <= total size.
  ObjectReader(ChunkStore& store, std::vector<ChunkRef> chunks, uint64_t offset, uint64_t length,
               DamageHandler on_damage = {});
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  // Fetches and verifies the chunk holding the first requested byte, so that a damaged first
  // chunk is known before a response is started. Optional (read() does it otherwise); its
  // work is not repeated. Errors: those of read().
  Status prepare();

  // Fills buf as far as the range allows, across chunks. An error after some bytes were read
  // is reported by the next call, and by every call after it. Errors: kCorruption (a chunk is
  // missing, fails its hash or header check, or the manifest does not cover the range),
  // kIoError.
  Result<size_t> read(std::span<std::byte> buf) override;

 private:
  // Makes chunks_[index] the current chunk: fetched whole and verified into current_.
  Status load(size_t index);
  // load() without the bookkeeping: fetches, decodes and verifies `chunk`.
  Status fetch(const ChunkRef& chunk);
  // The chunk's fast check when it is known and the store allows verifying by it;
  // kNoChunkCheck (verify the SHA-256) otherwise.
  uint64_t fast_check(const ChunkRef& chunk) const;
  // Moves chunk_index_ to the chunk holding position_.
  Status seek_chunk();

  ChunkStore& store_;
  std::vector<ChunkRef> chunks_;
  DamageHandler on_damage_;
  uint64_t position_;
  uint64_t end_;
  size_t chunk_index_ = 0;
  Status failed_;  // the first error met; every later call returns it

  // The current chunk's verified content: a view into buffer_ (raw), fetched_ (raw, from
  // get()) or decoded_ (compressed).
  std::span<const std::byte> current_;
  size_t current_index_ = SIZE_MAX;      // index of the chunk in current_, or SIZE_MAX
  std::unique_ptr<std::byte[]> buffer_;  // encoded chunk read with read_at (reused)
  size_t buffer_capacity_ = 0;
  std::vector<std::byte> fetched_;  // encoded chunk from get()
  std::vector<std::byte> decoded_;  // the current compressed chunk, decoded
};

}  // namespace coffer::store
