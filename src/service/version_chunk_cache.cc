#include "service/version_chunk_cache.h"

namespace coffer::service {

std::optional<std::vector<VersionChunk>> VersionChunkCache::find(int64_t version_id) {
  std::lock_guard lock(mu_);
  auto it = by_version_.find(version_id);
  if (it == by_version_.end()) return std::nullopt;
  recent_.splice(recent_.begin(), recent_, it->second);
  return it->second->second;
}

void VersionChunkCache::remember(int64_t version_id, const std::vector<VersionChunk>& chunks) {
  if (version_id <= 0 || chunks.size() > kMaxChunks || capacity_ == 0) return;
  std::lock_guard lock(mu_);
  if (by_version_.contains(version_id)) return;
  recent_.emplace_front(version_id, chunks);
  by_version_.emplace(version_id, recent_.begin());
  if (recent_.size() > capacity_) {
    by_version_.erase(recent_.back().first);
    recent_.pop_back();
  }
}

size_t VersionChunkCache::size() const {
  std::lock_guard lock(mu_);
  return recent_.size();
}

}  // namespace coffer::service
