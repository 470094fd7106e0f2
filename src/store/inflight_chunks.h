#pragma once
// Chunks that uploads in this process have written or deduplicated against but whose
// metadata has not committed yet. Garbage collection never deletes a pinned chunk; across
// processes the grace period on chunk modification times covers the same window.

#include <mutex>
#include <unordered_map>

#include "store/chunk_id.h"

namespace coffer::store {

class InflightChunks {
 public:
  void pin(const ChunkId& id);
  void unpin(const ChunkId& id);
  bool is_pinned(const ChunkId& id) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<ChunkId, int, ChunkIdHash> counts_;  // GUARDED_BY(mu_)
};

}  // namespace coffer::store
