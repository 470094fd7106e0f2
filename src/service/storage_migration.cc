#include "service/storage_migration.h"

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

}  // namespace

Result<MigrationReport> migrate_chunks(store::ChunkStore& from, store::ChunkStore& to,
                                       bool verify) {
  MigrationReport report;
  auto present = ids_in(to);
  COFFER_RETURN_IF_ERROR(present);
  // Collected first: neither store is written while its listing is open.
  auto source = ids_in(from);
  COFFER_RETURN_IF_ERROR(source);
  report.chunks_in_source = source->size();
  for (const store::ChunkId& id : *source) {
    if (present->contains(id)) {
      ++report.chunks_already_present;
      continue;
    }
    auto encoded = read_verified(from, id);
    if (!encoded.is_ok()) {
      report.failures.push_back("chunk " + id.hex() + ": source: " + encoded.status().to_string());
      continue;
    }
    if (auto status = to.put(id, *encoded); !status.is_ok()) {
      report.failures.push_back("chunk " + id.hex() + ": target: " + status.to_string());
      continue;
    }
    ++report.chunks_copied;
    report.bytes_copied += encoded->size();
  }
  if (verify) {
    for (const store::ChunkId& id : *source) {
      auto encoded = read_verified(to, id);
      if (!encoded.is_ok()) {
        report.failures.push_back("chunk " + id.hex() +
                                  ": verify: " + encoded.status().to_string());
        continue;
      }
      ++report.chunks_verified;
    }
  }
  return report;
}

}  // namespace coffer::service
