#pragma once
// The chunk lists of recently read small file versions, kept in memory so that a download
// costs one metadata read transaction fewer. A version's chunk list never changes once
// committed, and version ids are never reused (AUTOINCREMENT, identity columns), so an entry
// can never be stale: a purged version is simply never asked for again, since callers look a
// version up in the catalog before its content. Nothing to invalidate, on one node or many.
// Only lists of up to kMaxChunks chunks are kept (small files, where that transaction is a
// large part of a download's cost), at most kCapacity of them, the least recently used
// dropped first: a few MiB at most. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/model.h"

namespace coffer::service {

class VersionChunkCache {
 public:
  static constexpr size_t kMaxChunks = 4;
  static constexpr size_t kCapacity = 16384;

  explicit VersionChunkCache(size_t capacity = kCapacity) : capacity_(capacity) {}

  std::optional<std::vector<VersionChunk>> find(int64_t version_id);
  // Keeps `chunks` as `version_id`'s list when it is short enough; replaces nothing else.
  void remember(int64_t version_id, const std::vector<VersionChunk>& chunks);
  size_t size() const;

 private:
  using Entry = std::pair<int64_t, std::vector<VersionChunk>>;

  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> recent_;  // GUARDED_BY(mu_); most recently used first
  std::unordered_map<int64_t, std::list<Entry>::iterator> by_version_;  // GUARDED_BY(mu_)
};

}  // namespace coffer::service
