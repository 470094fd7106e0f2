#pragma once
// Packed volumes: small encoded chunks appended to large files instead of one file each
// (Haystack, SeaweedFS). A 4 KiB chunk as a file costs an inode, a directory entry, a temp
// file, a rename and two fsyncs; in a volume it costs a 48-byte record header and a share of
// one fdatasync. Layout (docs/storage-format.md, "Packed volumes"):
//
//   <dir>/00000001.vol ...   append-only volume files of records: header, then the encoded chunk
//   <dir>/index.db           SQLite: chunk id -> (volume, offset, length, modified), and per
//                            volume how far it has been indexed
//
// Group commit (LevelDB's write queue): concurrent puts queue; the one at the front appends
// the whole queue with one pwritev, makes it durable with one fdatasync, indexes it in one
// transaction, and wakes the others. A put returns OK only after the fdatasync covering its
// record; if the write or the sync fails, every put of the group fails and the volume is cut
// back to where the group began, so nothing of it is indexed.
//
// The volume files are the truth and the index a cache of them: the index commits without
// fsync (a power loss may drop its last commits, never corrupt it), and opening the store
// scans every volume past its indexed end, indexes the complete records found there and cuts
// off a torn tail (an append a crash interrupted, never acknowledged).
//
// Several processes may open the same directory (the server and `coffer gc`): a process
// appends only to a volume it holds an exclusive flock on, and recovery skips volumes another
// process holds. Removing a chunk deletes its index row; the bytes stay in the volume until
// compaction (not yet implemented; docs/storage-format.md).
//
// Thread-safe.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "store/chunk_store.h"

namespace coffer::meta {
class Database;
}

namespace coffer::store {

struct VolumeStoreOptions {
  // A volume that reached this size is sealed and a new one started.
  uint64_t max_volume_bytes = uint64_t{1} << 30;
  // Bytes one group appends at most (a leader stops taking followers beyond it).
  size_t max_group_bytes = 16 << 20;
  // Read transactions on the index at once (a reader beyond them waits): one per thread that
  // may read chunks keeps reads from queueing behind each other.
  int index_readers = 4;
};

// What opening the store found and repaired (logged by the caller, checked by tests).
struct VolumeRecovery {
  uint64_t records_indexed = 0;  // complete records found past an indexed end
  uint64_t bytes_truncated = 0;  // torn tails cut off
};

class VolumeStore {
 public:
  static constexpr size_t kRecordHeaderSize = 48;

  // Opens (creating if needed) the volume directory `dir`, then recovers every volume that
  // no other process holds. Errors: kIoError, kCorruption (the index is damaged).
  static Result<std::unique_ptr<VolumeStore>> open(const std::string& dir,
                                                   VolumeStoreOptions options = {});
  ~VolumeStore();
  VolumeStore(const VolumeStore&) = delete;
  VolumeStore& operator=(const VolumeStore&) = delete;

  // Appends `encoded` under `id` and returns once it is durable (group commit above). An id
  // already indexed is a cheap success that refreshes its modification time.
  Status put(const ChunkId& id, std::span<const std::byte> encoded);
  // put() of each chunk, queued at once so that they share group commits (one when they fit
  // in max_group_bytes): returns once every one is durable, or the first failure.
  Status put_many(std::span<const ChunkPut> chunks);
  // Whether `id` is indexed; if so refreshes its modification time.
  Result<bool> touch(const ChunkId& id);
  // The encoded chunk. kNotFound when `id` is not in a volume.
  Result<std::vector<std::byte>> get(const ChunkId& id);
  // `out.size()` encoded bytes at `offset`, fewer only at the end. kNotFound when absent.
  Result<size_t> read_at(const ChunkId& id, uint64_t offset, std::span<std::byte> out);
  // Forgets `id` (its bytes become garbage in their volume). Missing ids are fine.
  Status remove(const ChunkId& id);
  // Every indexed chunk; fn runs outside any transaction (it may call remove()).
  Status for_each(const std::function<Status(const StoredChunkInfo&)>& fn);

  // Compaction: every volume that no process appends to and whose live records fill at most
  // `max_live_fraction` of it has its live records copied to the end of the active volume
  // (through the group commit, so puts and reads go on meanwhile), is dropped from the index
  // and deleted. A record that fails its hash is never copied: its volume stays, and is
  // reported in `damaged`. Returns the bytes given back to the file system.
  struct CompactionReport {
    uint64_t volumes_compacted = 0;
    uint64_t records_moved = 0;
    uint64_t bytes_reclaimed = 0;
    std::vector<std::string> damaged;  // "volume N: chunk <id> ..." lines
  };
  Result<CompactionReport> compact(double max_live_fraction = 0.5);

  const VolumeRecovery& recovery() const { return recovery_; }
  const std::string& dir() const { return dir_; }
  // The path of volume number `volume`.
  std::string volume_path(uint64_t volume) const;

 private:
  struct Location {
    uint64_t volume = 0;
    uint64_t offset = 0;  // of the record header
    uint64_t length = 0;  // of the encoded chunk after it
  };
  struct PendingPut {
    const ChunkId* id;
    std::span<const std::byte> encoded;
    // Set by compaction: the record's current place. The index row moves to the new place only
    // if it still points there (a concurrent remove() wins).
    const Location* moving_from = nullptr;
    Status status;
    bool done = false;                      // GUARDED_BY(queue_mu_)
    std::condition_variable* cv = nullptr;  // its caller's, which waits on it (append())
  };
  class OpenFile;

  VolumeStore(std::string dir, VolumeStoreOptions options, std::unique_ptr<meta::Database> index);

  Status recover_all();
  // REQUIRES: `fd` holds an exclusive flock on `volume`. Indexes complete records past the
  // indexed end and truncates a torn tail.
  Status recover(uint64_t volume, int fd);
  Result<std::optional<Location>> locate(const ChunkId& id);
  Result<std::shared_ptr<OpenFile>> reader_for(uint64_t volume);
  // Queues `mine` and returns once each is durable and indexed (or failed): the first
  // failure, else OK. The caller leads whenever one of its members reaches the queue's front.
  Status append(std::span<PendingPut> mine);
  // REQUIRES: the caller leads the put queue.
  void append_group(const std::vector<PendingPut*>& group);
  // Compacts one volume. REQUIRES: the caller holds its flock.
  Status compact_volume(uint64_t volume, CompactionReport& report);
  // Forgets the cached reader of a deleted volume.
  void drop_reader(uint64_t volume);
  // REQUIRES: the caller leads the put queue. Opens (or rotates to) the volume to append to.
  Status ensure_active(uint64_t need_bytes);
  void retire_active();
  Result<std::vector<uint64_t>> list_volumes() const;

  const std::string dir_;
  const VolumeStoreOptions options_;
  const std::unique_ptr<meta::Database> index_;
  VolumeRecovery recovery_;

  std::mutex queue_mu_;
  std::deque<PendingPut*> queue_;  // GUARDED_BY(queue_mu_); its front leads
  // The volume this process appends to; used only by the leader of the put queue.
  int active_fd_ = -1;
  uint64_t active_volume_ = 0;
  uint64_t active_end_ = 0;

  std::mutex readers_mu_;
  std::unordered_map<uint64_t, std::shared_ptr<OpenFile>> readers_;  // GUARDED_BY(readers_mu_)
};

}  // namespace coffer::store
