#include "store/inflight_chunks.h"

namespace coffer::store {

void InflightChunks::pin(const ChunkId& id) {
  std::lock_guard lock(mu_);
  ++counts_[id];
}

void InflightChunks::unpin(const ChunkId& id) {
  std::lock_guard lock(mu_);
  auto it = counts_.find(id);
  if (it != counts_.end() && --it->second == 0) counts_.erase(it);
}

bool InflightChunks::is_pinned(const ChunkId& id) const {
  std::lock_guard lock(mu_);
  return counts_.contains(id);
}

}  // namespace coffer::store
