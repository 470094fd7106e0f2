#pragma once
// Storage maintenance shared by the `coffer gc` / `coffer fsck` commands and the server's
// periodic collector.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "meta/catalog.h"
#include "store/chunk_store.h"
#include "store/gc_leases.h"
#include "store/inflight_chunks.h"

namespace coffer::service {

struct GcReport {
  uint64_t chunks_seen = 0;
  uint64_t chunks_referenced = 0;
  uint64_t chunks_removed = 0;
  uint64_t bytes_removed = 0;
  uint64_t chunks_in_grace = 0;  // unreferenced but too recent (or pinned) to remove
  uint64_t bytes_compacted = 0;  // given back by compacting packed volumes after the sweep
  // Uploads somewhere kept running through the whole wait: nothing was removed this time.
  bool deferred = false;
};

// Mark and sweep. Marks every chunk that a version references and lists the store for
// candidates: unmarked, not pinned by an upload in this process, not modified within
// `grace_seconds`. Then fences uploads out on every node (store::GcLeases), waiting up to
// `upload_wait` for those in progress to end, marks again (versions committed meanwhile) and
// deletes the candidates that are still unmarked. An upload is therefore never in progress
// while chunks are deleted, whatever the grace period; the grace period is a margin on top.
Result<GcReport> collect_garbage(meta::Catalog& catalog, store::ChunkStore& chunks,
                                 const store::InflightChunks& inflight, store::GcLeases& leases,
                                 int64_t grace_seconds, std::chrono::seconds upload_wait);

struct FsckReport {
  uint64_t chunks_checked = 0;
  uint64_t versions_checked = 0;
  uint64_t bytes_checked = 0;
  std::vector<std::string> problems;  // one line each; empty when all is well
  bool clean() const { return problems.empty(); }
};

// Verifies every stored chunk against its SHA-256 and every version's chunk list: chunks
// present, contiguous, adding up to the version's size.
Result<FsckReport> check_integrity(meta::Catalog& catalog, store::ChunkStore& chunks);

}  // namespace coffer::service
