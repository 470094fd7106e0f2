#pragma once
// Storage maintenance shared by the `coffer gc` / `coffer fsck` commands and the server's
// periodic collector.

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "meta/catalog.h"
#include "store/chunk_store.h"
#include "store/inflight_chunks.h"

namespace coffer::service {

struct GcReport {
  uint64_t chunks_seen = 0;
  uint64_t chunks_referenced = 0;
  uint64_t chunks_removed = 0;
  uint64_t bytes_removed = 0;
  uint64_t chunks_in_grace = 0;  // unreferenced but too recent (or pinned) to remove
};

// Mark and sweep: marks every chunk that a version references, then removes stored chunks
// that are unmarked, not pinned by an upload in this process, and not modified within
// `grace_seconds` (which covers uploads in other processes that have written or
// deduplicated a chunk but not committed yet).
Result<GcReport> collect_garbage(meta::Catalog& catalog, store::ChunkStore& chunks,
                                 const store::InflightChunks& inflight, int64_t grace_seconds);

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
