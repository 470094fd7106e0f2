#include "store/chunk_batch.h"

namespace coffer::store {

ChunkBatch::ChunkBatch(ChunkStore& store, size_t flush_bytes)
    : store_(store), flush_bytes_(flush_bytes) {}

Status ChunkBatch::add(const ChunkId& id, ChunkEncoding encoding,
                       std::span<const std::byte> encoded) {
  std::lock_guard lock(mu_);
  COFFER_RETURN_IF_ERROR(failure_);
  auto [it, added] = held_.try_emplace(id);
  if (!added) return Status::ok();
  it->second.encoding = encoding;
  it->second.encoded.assign(encoded.begin(), encoded.end());
  held_bytes_ += encoded.size();
  return held_bytes_ > flush_bytes_ ? flush_locked() : Status::ok();
}

std::optional<ChunkBatch::Held> ChunkBatch::find(const ChunkId& id) const {
  std::lock_guard lock(mu_);
  auto it = held_.find(id);
  if (it == held_.end()) return std::nullopt;
  return Held{it->second.encoding, it->second.encoded.size()};
}

Status ChunkBatch::flush() {
  std::lock_guard lock(mu_);
  return flush_locked();
}

Status ChunkBatch::flush_locked() {
  COFFER_RETURN_IF_ERROR(failure_);
  if (held_.empty()) return Status::ok();
  std::vector<ChunkPut> puts;
  puts.reserve(held_.size());
  for (const auto& [id, chunk] : held_) puts.push_back(ChunkPut{id, chunk.encoded});
  failure_ = store_.put_many(puts);
  held_.clear();
  held_bytes_ = 0;
  return failure_;
}

}  // namespace coffer::store
