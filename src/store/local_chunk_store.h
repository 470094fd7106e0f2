#pragma once
// A ChunkStore on a local filesystem. Layout (docs/storage-format.md):
//   <root>/ab/cd/<64 hex>   one file per chunk, named by its id; ab and cd are its first two
//                           bytes, so no directory holds more than a few thousand entries
//   <root>/tmp/             chunks being written; renamed into place once durable
//   <root>/volumes/         small chunks packed into append-only volumes (store::VolumeStore)
//
// Chunks whose encoded size is at most `packed_max_bytes` go into the volumes, where
// concurrent puts share one append and one fdatasync (group commit); larger ones stay files,
// where the bytes dwarf the cost of a file. Reads, touches and removals look in the volumes
// first, then for a file, so stores written before volumes existed stay readable.
//
// Durability: put() writes a temp file, fsyncs it, renames it into place and fsyncs the
// directory (and, once per process, the fan-out parents), so a chunk is either absent or
// complete and durable. A failed write, fsync or rename is reported, and the temp file
// removed; it never turns into a later success, because a retry starts from scratch.
//
// Thread-safe. Within one process, a chunk that another thread is still writing is not
// reported present (touch, put) until that write is durable or has failed.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "store/chunk_store.h"
#include "store/volume_store.h"

namespace coffer::store {

struct LocalChunkStoreOptions {
  // Writes chunks whose bytes start on a 4 KiB boundary (ObjectWriter's do) with O_DIRECT,
  // past the page cache. That saves the copy into the page cache, up to a third of the CPU an
  // upload costs on a small VM, but leaves freshly uploaded chunks out of the cache, so the
  // first download reads the disk. Off by default; turned off by itself where the filesystem
  // refuses O_DIRECT. Durability is the same either way.
  bool direct_io = false;
  // Encoded chunks up to this size are packed into volumes; 0 keeps every chunk a file.
  size_t packed_max_bytes = 64 * 1024;
  VolumeStoreOptions volumes;
};

class LocalChunkStore : public ChunkStore {
 public:
  // Temp files older than this belong to uploads that crashed.
  static constexpr std::chrono::seconds kStaleTempAge{3600};

  // Opens the store at `root`, creating the directories it needs, and removes stale temp
  // files. Errors: kIoError.
  static Result<std::unique_ptr<LocalChunkStore>> open(const std::string& root,
                                                       LocalChunkStoreOptions options = {});

  // Removes files in <root>/tmp last modified more than `max_age` ago; returns how many.
  // Errors: kIoError.
  static Result<size_t> clean_stale_temp_files(const std::string& root,
                                               std::chrono::seconds max_age = kStaleTempAge);

  // REQUIRES: <root> and <root>/tmp exist (open() creates them). `volumes` may be null
  // (every chunk a file).
  LocalChunkStore(std::string root, LocalChunkStoreOptions options,
                  std::unique_ptr<VolumeStore> volumes);
  LocalChunkStore(const LocalChunkStore&) = delete;
  LocalChunkStore& operator=(const LocalChunkStore&) = delete;

  Status put(const ChunkId& id, std::span<const std::byte> encoded) override;
  // The packed chunks in one VolumeStore::put_many (one group commit when they fit in a
  // group), the others one by one.
  Status put_many(std::span<const ChunkPut> chunks) override;
  Result<bool> touch(const ChunkId& id) override;
  Result<std::vector<std::byte>> get(const ChunkId& id) override;
  Result<size_t> read_at(const ChunkId& id, uint64_t offset, std::span<std::byte> out) override;
  Status remove(const ChunkId& id) override;
  Status for_each(const std::function<Status(const StoredChunkInfo&)>& fn) override;
  // Markers live in <root>/markers/<kind>/<name>.
  Status put_marker(std::string_view kind, std::string_view name) override;
  Status remove_marker(std::string_view kind, std::string_view name) override;
  Status for_each_marker(std::string_view kind,
                         const std::function<Status(const MarkerInfo&)>& fn) override;
  Status check_ready() override;
  // Compacts the packed volumes (VolumeStore::compact); damaged records found are kept and
  // reported as kCorruption after the rest is done.
  Result<uint64_t> compact() override;

  const std::string& root() const { return root_; }
  // Where the chunk `id` lives as a file (whether or not it exists).
  std::string path_of(const ChunkId& id) const;
  // The packed volumes, or null when they are off.
  VolumeStore* volumes() const { return volumes_.get(); }

 private:
  // Ids being written by put(), sharded by id to keep unrelated puts from contending.
  struct Shard {
    std::mutex mu;
    std::condition_variable cv;
    std::unordered_set<ChunkId, ChunkIdHash> writing;  // GUARDED_BY(mu)
  };
  static constexpr size_t kShards = 64;

  Shard& shard_of(const ChunkId& id) { return shards_[id.bytes[31] % kShards]; }
  // put() of a chunk too large to pack: a file of its own.
  Status put_file(const ChunkId& id, std::span<const std::byte> encoded);
  Status write_new(const ChunkId& id, std::span<const std::byte> encoded);
  Status ensure_fanout_dirs(const ChunkId& id);
  std::string temp_path(const ChunkId& id);

  const std::string root_;
  std::array<Shard, kShards> shards_;
  // Fan-out directories known to exist durably in this process: bit i of the first set is
  // <root>/<i>, bit (a << 8 | b) of the second is <root>/<a>/<b>.
  std::array<std::atomic<uint64_t>, 256 / 64> durable_top_{};
  std::array<std::atomic<uint64_t>, 65536 / 64> durable_leaf_{};
  std::atomic<uint64_t> temp_seq_{0};
  std::atomic<bool> direct_io_;
  const size_t packed_max_bytes_;
  const std::unique_ptr<VolumeStore> volumes_;
};

}  // namespace coffer::store
