#include "service/storage_migration.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "store/chunk_codec.h"

namespace coffer::service {
namespace {

using IdSet = std::unordered_set<store::ChunkId, store::ChunkIdHash>;

Result<IdSet> ids_in(store::ChunkStore& chunks) {
  IdSet ids;
  COFFER_RETURN_IF_ERROR(chunks.for_each([&](const store::StoredChunkInfo& info) {
    ids.insert(info.id);
    return Status::ok();
  }));
  return ids;
}

// Reads a chunk whole and checks it against its id.
Result<std::vector<std::byte>> read_verified(store::ChunkStore& chunks, const store::ChunkId& id) {
  auto encoded = chunks.get(id);
  COFFER_RETURN_IF_ERROR(encoded);
  COFFER_RETURN_IF_ERROR(store::ChunkCodec::decode(*encoded, id));
  return encoded;
}

// Calls fn(id) for every id on `threads` threads (1 or more).
template <typename Fn>
void for_each_parallel(const std::vector<store::ChunkId>& ids, unsigned threads, Fn fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < ids.size(); i = next++) fn(ids[i]);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(threads, 1u); ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
}

}  // namespace

Result<MigrationReport> migrate_chunks(store::ChunkStore& from, store::ChunkStore& to, bool verify,
                                       unsigned parallelism) {
  MigrationReport report;
  auto present = ids_in(to);
  COFFER_RETURN_IF_ERROR(present);
  // Collected first: neither store is written while its listing is open.
  auto source = ids_in(from);
  COFFER_RETURN_IF_ERROR(source);
  report.chunks_in_source = source->size();
  std::vector<store::ChunkId> missing;
  for (const store::ChunkId& id : *source) {
    if (present->contains(id)) {
      ++report.chunks_already_present;
    } else {
      missing.push_back(id);
    }
  }
  std::mutex mu;  // guards report
  auto fail = [&](const store::ChunkId& id, const char* where, const Status& status) {
    std::lock_guard lock(mu);
    report.failures.push_back("chunk " + id.hex() + ": " + where + ": " + status.to_string());
  };
  for_each_parallel(missing, parallelism, [&](const store::ChunkId& id) {
    auto encoded = read_verified(from, id);
    if (!encoded.is_ok()) return fail(id, "source", encoded.status());
    if (auto status = to.put(id, *encoded); !status.is_ok()) return fail(id, "target", status);
    std::lock_guard lock(mu);
    ++report.chunks_copied;
    report.bytes_copied += encoded->size();
  });
  if (verify) {
    std::vector<store::ChunkId> all(source->begin(), source->end());
    for_each_parallel(all, parallelism, [&](const store::ChunkId& id) {
      auto encoded = read_verified(to, id);
      if (!encoded.is_ok()) return fail(id, "verify", encoded.status());
      std::lock_guard lock(mu);
      ++report.chunks_verified;
    });
  }
  std::sort(report.failures.begin(), report.failures.end());
  return report;
}

}  // namespace coffer::service
