#include "s3/s3_chunk_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace coffer::s3 {
namespace {

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string under_prefix(const std::string& prefix, const char* folder) {
  return prefix.empty() ? std::string(folder) + "/" : prefix + "/" + folder + "/";
}

}  // namespace

S3ChunkStore::S3ChunkStore(S3Options options, S3ChunkStoreOptions store_options)
    : client_(std::move(options)),
      chunks_prefix_(under_prefix(store_options.prefix, "chunks")),
      markers_prefix_(under_prefix(store_options.prefix, "markers")),
      options_(std::move(store_options)) {}

std::string S3ChunkStore::key_of(const store::ChunkId& id) const {
  const std::string hex = id.hex();
  return chunks_prefix_ + hex.substr(0, 2) + "/" + hex;
}

Status S3ChunkStore::put(const store::ChunkId& id, std::span<const std::byte> encoded) {
  return client_.put_object(key_of(id), encoded);
}

Status S3ChunkStore::put_many(std::span<const store::ChunkPut> chunks) {
  if (chunks.size() <= 1) return ChunkStore::put_many(chunks);
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_failure;  // GUARDED_BY(mu)
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < chunks.size();) {
      Status s = put(chunks[i].id, chunks[i].encoded);
      if (s.is_ok()) continue;
      std::lock_guard lock(mu);
      if (first_failure.is_ok()) first_failure = std::move(s);
      next = chunks.size();  // the rest would be wasted: the caller fails as a whole
    }
  };
  std::vector<std::thread> helpers;
  for (size_t i = 1; i < std::min(chunks.size(), kParallelPuts); ++i) helpers.emplace_back(work);
  work();
  for (std::thread& helper : helpers) helper.join();
  return first_failure;
}

Result<bool> S3ChunkStore::touch(const store::ChunkId& id) {
  auto head = client_.head_object(key_of(id));
  COFFER_RETURN_IF_ERROR(head);
  if (!head->has_value()) return false;
  // Too old to count on: report it absent so that the caller stores it again (see the header).
  return now_unix() - (*head)->last_modified_unix < options_.refresh_after_seconds;
}

Result<std::vector<std::byte>> S3ChunkStore::get(const store::ChunkId& id) {
  auto bytes = client_.get_object(key_of(id));
  if (!bytes.is_ok() && bytes.status().code() == Errc::kNotFound) {
    return Status(Errc::kNotFound, "chunk " + id.hex() + " is missing");
  }
  return bytes;
}

Result<size_t> S3ChunkStore::read_at(const store::ChunkId& id, uint64_t offset,
                                     std::span<std::byte> out) {
  auto n = client_.get_range(key_of(id), offset, out);
  if (!n.is_ok() && n.status().code() == Errc::kNotFound) {
    return Status(Errc::kNotFound, "chunk " + id.hex() + " is missing");
  }
  return n;
}

Status S3ChunkStore::remove(const store::ChunkId& id) { return client_.delete_object(key_of(id)); }

Status S3ChunkStore::for_each(const std::function<Status(const store::StoredChunkInfo&)>& fn) {
  std::string token;
  do {
    auto page =
        client_.list_objects(chunks_prefix_, token, std::clamp(options_.list_page_size, 1, 1000));
    COFFER_RETURN_IF_ERROR(page);
    for (const ListedObject& object : page->objects) {
      // Only "<2 hex>/<64 hex>" with matching fan-out is a chunk; anything else is ignored.
      std::string_view rest(object.key);
      if (!rest.starts_with(chunks_prefix_)) continue;
      rest.remove_prefix(chunks_prefix_.size());
      if (rest.size() != 67 || rest[2] != '/' || rest.substr(0, 2) != rest.substr(3, 2)) continue;
      auto id = store::ChunkId::from_hex(rest.substr(3));
      if (!id || id->hex() != rest.substr(3)) continue;
      COFFER_RETURN_IF_ERROR(
          fn(store::StoredChunkInfo{*id, object.size, object.last_modified_unix}));
    }
    token = page->truncated ? page->next_continuation_token : std::string();
  } while (!token.empty());
  return Status::ok();
}

Status S3ChunkStore::put_marker(std::string_view kind, std::string_view name) {
  return client_.put_object(markers_prefix_ + std::string(kind) + "/" + std::string(name), {});
}

Status S3ChunkStore::remove_marker(std::string_view kind, std::string_view name) {
  return client_.delete_object(markers_prefix_ + std::string(kind) + "/" + std::string(name));
}

Status S3ChunkStore::for_each_marker(std::string_view kind,
                                     const std::function<Status(const store::MarkerInfo&)>& fn) {
  const std::string prefix = markers_prefix_ + std::string(kind) + "/";
  std::string token;
  do {
    auto page = client_.list_objects(prefix, token, 1000);
    COFFER_RETURN_IF_ERROR(page);
    for (const ListedObject& object : page->objects) {
      if (!object.key.starts_with(prefix)) continue;
      COFFER_RETURN_IF_ERROR(
          fn(store::MarkerInfo{object.key.substr(prefix.size()), object.last_modified_unix}));
    }
    token = page->truncated ? page->next_continuation_token : std::string();
  } while (!token.empty());
  return Status::ok();
}

Status S3ChunkStore::check_ready() { return client_.head_bucket(); }

}  // namespace coffer::s3
