#include "service/maintenance.h"

#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include "store/chunk_codec.h"

namespace coffer::service {
namespace {

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using ChunkSet = std::unordered_set<store::ChunkId, store::ChunkIdHash>;

// Every chunk a version references. With `fence`, keeps it alive while the marking runs.
Result<ChunkSet> referenced_chunks(meta::Catalog& catalog, store::HeldMarker* fence = nullptr) {
  ChunkSet referenced;
  COFFER_RETURN_IF_ERROR(catalog.for_each_referenced_chunk([&](const std::string& hex) {
    if (auto id = store::ChunkId::from_hex(hex)) referenced.insert(*id);
    return fence && referenced.size() % 4096 == 0 ? fence->keep_alive() : Status::ok();
  }));
  return referenced;
}

// `report` after compacting what the sweeps (this one and earlier ones) left in place.
Result<GcReport> compacted(store::ChunkStore& chunks, GcReport report) {
  auto bytes = chunks.compact();
  COFFER_RETURN_IF_ERROR(bytes);
  report.bytes_compacted = *bytes;
  return report;
}

}  // namespace

Result<GcReport> collect_garbage(meta::Catalog& catalog, store::ChunkStore& chunks,
                                 const store::InflightChunks& inflight, store::GcLeases& leases,
                                 int64_t grace_seconds, std::chrono::seconds upload_wait) {
  // The cut-off is taken before marking: a chunk written after it is never a candidate.
  const int64_t cutoff = now_unix() - grace_seconds;
  auto referenced = referenced_chunks(catalog);
  COFFER_RETURN_IF_ERROR(referenced);
  GcReport report;
  report.chunks_referenced = referenced->size();
  std::vector<store::StoredChunkInfo> candidates;
  COFFER_RETURN_IF_ERROR(chunks.for_each([&](const store::StoredChunkInfo& info) {
    ++report.chunks_seen;
    if (referenced->contains(info.id)) return Status::ok();
    if (info.modified_unix_seconds > cutoff || inflight.is_pinned(info.id)) {
      ++report.chunks_in_grace;
    } else {
      candidates.push_back(info);
    }
    return Status::ok();
  }));
  if (candidates.empty()) return compacted(chunks, report);

  auto fence = leases.begin_sweep(upload_wait);
  COFFER_RETURN_IF_ERROR(fence);
  if (!*fence) {
    report.deferred = true;
    return report;
  }
  // No upload runs anywhere now. Versions committed since the first mark may reference a
  // candidate (deduplication): mark again.
  referenced = referenced_chunks(catalog, fence->get());
  COFFER_RETURN_IF_ERROR(referenced);
  for (const auto& info : candidates) {
    if (referenced->contains(info.id) || inflight.is_pinned(info.id)) {
      ++report.chunks_in_grace;
      continue;
    }
    COFFER_RETURN_IF_ERROR((*fence)->keep_alive());
    COFFER_RETURN_IF_ERROR(chunks.remove(info.id));
    ++report.chunks_removed;
    report.bytes_removed += info.stored_bytes;
  }
  fence->reset();  // compaction deletes nothing live: uploads need not wait for it
  return compacted(chunks, report);
}

Result<FsckReport> check_integrity(meta::Catalog& catalog, store::ChunkStore& chunks) {
  FsckReport report;
  std::unordered_map<store::ChunkId, uint64_t, store::ChunkIdHash> raw_sizes;
  COFFER_RETURN_IF_ERROR(chunks.for_each([&](const store::StoredChunkInfo& info) {
    ++report.chunks_checked;
    auto encoded = chunks.get(info.id);
    if (!encoded.is_ok()) {
      report.problems.push_back("chunk " + info.id.hex() + ": " + encoded.status().to_string());
      return Status::ok();
    }
    report.bytes_checked += encoded->size();
    auto raw = store::ChunkCodec::decode(*encoded, info.id);
    if (!raw.is_ok()) {
      report.problems.push_back("chunk " + info.id.hex() + ": " + raw.status().to_string());
      return Status::ok();
    }
    raw_sizes[info.id] = raw->size();
    return Status::ok();
  }));
  // Collected first: the catalog is not re-entered from inside its own iteration.
  std::vector<meta::Catalog::VersionRecord> versions;
  COFFER_RETURN_IF_ERROR(catalog.for_each_version([&](const meta::Catalog::VersionRecord& v) {
    versions.push_back(v);
    return Status::ok();
  }));
  for (const auto& v : versions) {
    ++report.versions_checked;
    auto list = catalog.version_chunks(v.version_id);
    COFFER_RETURN_IF_ERROR(list);
    const std::string where =
        "version " + std::to_string(v.version_id) + " of node " + std::to_string(v.node_id);
    uint64_t expected_offset = 0;
    for (const auto& c : *list) {
      auto id = store::ChunkId::from_hex(c.chunk);
      if (!id) {
        report.problems.push_back(where + ": malformed chunk id " + c.chunk);
        continue;
      }
      auto it = raw_sizes.find(*id);
      if (it == raw_sizes.end()) {
        report.problems.push_back(where + ": chunk " + c.chunk + " is missing or unreadable");
      } else if (it->second != c.size) {
        report.problems.push_back(where + ": chunk " + c.chunk + " has the wrong size");
      }
      if (c.offset != expected_offset) {
        report.problems.push_back(where + ": chunk list is not contiguous at offset " +
                                  std::to_string(c.offset));
      }
      expected_offset = c.offset + c.size;
    }
    if (expected_offset != v.size) {
      report.problems.push_back(where + ": chunks add up to " + std::to_string(expected_offset) +
                                " bytes, the version says " + std::to_string(v.size));
    }
  }
  return report;
}

}  // namespace coffer::service
