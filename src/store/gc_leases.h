#pragma once
// Keeps garbage collection in any process from deleting a chunk that an upload in another
// process has written or deduplicated against but not committed yet — however long the upload
// takes and whatever the grace period (docs/storage-format.md, "Uploads and garbage
// collection across nodes").
//
// A Dekker-style handshake on markers in the chunk store, which every node shares:
//   - an upload puts a lease marker, then lists the fences; if a live fence exists it removes
//     its lease, waits, and tries again;
//   - a sweep puts a fence marker, then lists the leases, and proceeds only once no live lease
//     remains.
// Each side writes its own marker before it reads the other's, so with a store that lists what
// was written before (local disk, S3) at least one of them sees the other: an upload and a
// sweep never overlap. The uploads of one process share one lease marker: the first to begin
// writes it, the last to end removes it, any of them refreshes it (a marker file created and
// removed per upload cost a quarter of the CPU of small uploads). An upload that joins a
// marker written earlier has still written before it reads the fences. A marker not refreshed for
// `lease_ttl` belongs to a process that died and is ignored; holders refresh theirs every
// `refresh`, and a holder held up for `lease_ttl - refresh` (a stalled client, a store retrying)
// gives up rather than trust a marker that others may already have ignored. Clocks may differ by
// less than `refresh`.
//
// Thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "store/chunk_store.h"

namespace coffer::store {

struct GcLeaseOptions {
  int64_t lease_ttl_seconds = 60;
  int64_t refresh_seconds = 15;
  // The longest an upload waits for a sweep to end before it fails with kUnavailable.
  int64_t upload_wait_seconds = 120;
  std::chrono::milliseconds poll{100};
};

// A held marker (an upload's lease or a sweep's fence); removed when destroyed.
class HeldMarker {
 public:
  // `written`: when the marker's write began (its age is counted from then, never later).
  HeldMarker(ChunkStore& store, const GcLeaseOptions& options, std::string kind, std::string name,
             std::chrono::steady_clock::time_point written);
  ~HeldMarker();
  HeldMarker(const HeldMarker&) = delete;
  HeldMarker& operator=(const HeldMarker&) = delete;

  // Refreshes the marker if `refresh` has passed since it was last written. Holders call this
  // often, and last just before the work it protects is complete (an upload's commit).
  // Errors: kUnavailable (not called for lease_ttl - refresh: the marker may have lapsed),
  // the store's; either way the holder must stop (fail the upload, abandon the sweep).
  Status keep_alive();

 private:
  ChunkStore& store_;
  const GcLeaseOptions options_;
  const std::string kind_;
  const std::string name_;
  std::chrono::steady_clock::time_point written_;
};

class GcLeases;

// One upload's share of its process's lease; the lease ends with the last share.
class UploadLease {
 public:
  explicit UploadLease(GcLeases& leases) : leases_(leases) {}
  ~UploadLease();
  UploadLease(const UploadLease&) = delete;
  UploadLease& operator=(const UploadLease&) = delete;

  // As HeldMarker::keep_alive, for the shared marker: refreshed by whichever holder comes
  // first once `refresh` has passed; kUnavailable when nobody did for lease_ttl - refresh.
  Status keep_alive();

 private:
  GcLeases& leases_;
};

class GcLeases {
 public:
  explicit GcLeases(ChunkStore& store, GcLeaseOptions options = {});
  GcLeases(const GcLeases&) = delete;
  GcLeases& operator=(const GcLeases&) = delete;

  // Takes a lease for one upload, waiting while a sweep runs. Errors: kUnavailable (a sweep
  // outlasted upload_wait_seconds), the store's errors.
  Result<std::unique_ptr<UploadLease>> begin_upload();

  // Fences new uploads out and waits up to `wait` for the uploads in progress everywhere to
  // end. Returns the fence (hold it while deleting) or null if uploads were still running
  // when `wait` ran out (the fence is then withdrawn). Errors: the store's.
  Result<std::unique_ptr<HeldMarker>> begin_sweep(std::chrono::seconds wait);

 private:
  friend class UploadLease;

  // Adds an upload to the process's lease, writing its marker for the first one and
  // refreshing it when due.
  Status join_upload();
  // Removes an upload; the last one removes the marker.
  void leave_upload();
  Status keep_upload_alive();

  std::string next_name();
  // How many markers of `kind` are live (refreshed within lease_ttl).
  Result<int> count_live(std::string_view kind);

  ChunkStore& store_;
  const GcLeaseOptions options_;
  const std::string process_;  // random, names this process's markers
  std::atomic<uint64_t> seq_{0};

  std::mutex upload_mu_;
  int uploads_ = 0;                                       // GUARDED_BY(upload_mu_)
  std::string upload_marker_;                             // GUARDED_BY(upload_mu_)
  std::chrono::steady_clock::time_point upload_written_;  // GUARDED_BY(upload_mu_)
};

}  // namespace coffer::store
