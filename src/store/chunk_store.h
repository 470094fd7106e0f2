#pragma once
// The backend that keeps encoded chunks: a key-value store of immutable blobs keyed by
// ChunkId, on local disk (store::LocalChunkStore) or S3-compatible object storage
// (s3::S3ChunkStore). Encoding (compression, framing) happens above this interface, in
// ChunkCodec, so every backend stores the same bytes.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/chunk_id.h"

namespace coffer::store {

struct StoredChunkInfo {
  ChunkId id;
  uint64_t stored_bytes = 0;
  int64_t modified_unix_seconds = 0;  // last write or touch(); GC's grace period uses it
};

// One chunk for ChunkStore::put_many.
struct ChunkPut {
  ChunkId id;
  std::span<const std::byte> encoded;
};

// A marker: a small named object beside the chunks (store::GcLeases).
struct MarkerInfo {
  std::string name;
  int64_t modified_unix_seconds = 0;
};

class ChunkStore {
 public:
  virtual ~ChunkStore() = default;

  // Stores `encoded` under `id` durably: when this returns OK the bytes survive a crash or
  // power loss. Storing an id that already exists is a cheap success (content addressing
  // makes the bytes identical) and refreshes its modification time. Errors: kIoError (the
  // write, fsync or rename failed; nothing partial is visible under `id`).
  virtual Status put(const ChunkId& id, std::span<const std::byte> encoded) = 0;

  // Stores every chunk of `chunks` as put() does, together where the store can: packed
  // chunks in one group commit (one sync), requests to a remote store in parallel. OK only
  // when every one is durable; after a failure some may be stored, unreferenced (garbage
  // collection takes them). The default puts them one after another.
  virtual Status put_many(std::span<const ChunkPut> chunks) {
    for (const ChunkPut& chunk : chunks) COFFER_RETURN_IF_ERROR(put(chunk.id, chunk.encoded));
    return Status::ok();
  }

  // True if `id` is present. When it is, also refreshes its modification time so that a
  // concurrent garbage collection treats it as recently used (dedup hits call this).
  virtual Result<bool> touch(const ChunkId& id) = 0;

  // Reads the whole encoded chunk. Errors: kNotFound, kIoError.
  virtual Result<std::vector<std::byte>> get(const ChunkId& id) = 0;

  // Reads `length` encoded bytes at `offset`; fewer only at the end of the blob.
  virtual Result<size_t> read_at(const ChunkId& id, uint64_t offset, std::span<std::byte> out) = 0;

  // Deletes a chunk. Deleting a missing chunk is OK.
  virtual Status remove(const ChunkId& id) = 0;

  // Calls fn for every stored chunk (any order). Stops early, returning fn's error, if fn fails.
  // fn may call the store (fsck reads, gc removes, the scrubber reads each chunk listed).
  virtual Status for_each(const std::function<Status(const StoredChunkInfo&)>& fn) = 0;

  // Markers: empty objects under a `kind` ("leases", "fences"), never seen by for_each, by
  // which uploads and garbage collection in different processes keep out of each other's way
  // (store::GcLeases). `kind` and `name` are [a-z0-9-]. put_marker creates a marker or
  // refreshes its modification time; markers matter only while their writer lives, so they
  // are not made durable. A marker written before another is listed before it is removed
  // (the store's read-after-write consistency; S3 has it since 2020).
  virtual Status put_marker(std::string_view kind, std::string_view name) = 0;
  // Removing a missing marker is OK.
  virtual Status remove_marker(std::string_view kind, std::string_view name) = 0;
  virtual Status for_each_marker(std::string_view kind,
                                 const std::function<Status(const MarkerInfo&)>& fn) = 0;

  // Gives back the space that remove() left in place (packed volumes: records of removed
  // chunks). Returns the bytes given back; stores that free space on remove() have nothing to
  // do. Reads and writes go on meanwhile. Errors: kIoError.
  virtual Result<uint64_t> compact() { return uint64_t{0}; }

  // Checks that the store is usable (directory writable / bucket reachable), for /health/ready.
  virtual Status check_ready() = 0;

  // How readers fetch a whole chunk: true (a local disk), with one read_at() into a buffer
  // they reuse from chunk to chunk; false (a remote store, where each call is a round trip),
  // with get(). Either way they verify every chunk against its id before serving a byte of
  // it (store::ObjectReader).
  virtual bool reads_in_place() const { return true; }

  // Whether damage is the only thing to guard its chunks against (a local disk: bit rot, torn
  // or misplaced writes), so that readers may verify a chunk by its fast check (store/
  // chunk_check.h); false for a remote store that someone else runs, whose chunks are
  // verified by their SHA-256, which a substitute cannot match.
  virtual bool fast_checks_suffice() const { return true; }
};

}  // namespace coffer::store
