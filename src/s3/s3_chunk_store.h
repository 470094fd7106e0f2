#pragma once
// A ChunkStore on an S3-compatible object store (AWS S3, MinIO, Ceph RGW). Layout and
// semantics are documented in docs/storage-format.md ("S3 layout"):
//
//   <prefix>/chunks/<first 2 hex>/<64 hex>   one object per chunk: the encoded chunk
//   <prefix>/markers/<kind>/<name>           empty objects: upload leases and GC fences
//
// put() is a single PUT whose payload SHA-256 is signed and whose MD5 is sent in Content-MD5,
// so the service stores exactly these bytes or nothing; S3 makes an object visible only
// when its PUT has succeeded. Bytes read back are not trusted: readers verify every chunk
// against its id (ObjectReader, fsck, storage migrate); reads_in_place() is false, so they
// fetch chunks whole with get() rather than read_at().
//
// Modification times are the objects' LastModified, which only a write changes on every
// S3-compatible service. touch() therefore reports a chunk whose LastModified is older than
// `refresh_after` as absent: the upload that deduplicates against it stores it again, which
// refreshes it. A chunk a touch() reported present is thus younger than refresh_after, and
// stays safe from garbage collection for (grace period - refresh_after).
//
// Thread-safe.

#include <memory>
#include <string>

#include "s3/s3_client.h"
#include "store/chunk_store.h"

namespace coffer::s3 {

struct S3ChunkStoreOptions {
  std::string prefix;  // key prefix, without leading or trailing '/'; may be empty
  int64_t refresh_after_seconds = 900;
  int list_page_size = 1000;  // keys per ListObjectsV2 page (1 to 1000)
};

class S3ChunkStore : public store::ChunkStore {
 public:
  static constexpr size_t kParallelPuts = 8;

  // Does not contact the service (check_ready() does), so a server can start while the
  // object store is down and report itself not ready.
  S3ChunkStore(S3Options options, S3ChunkStoreOptions store_options);
  S3ChunkStore(const S3ChunkStore&) = delete;
  S3ChunkStore& operator=(const S3ChunkStore&) = delete;

  Status put(const store::ChunkId& id, std::span<const std::byte> encoded) override;
  // Up to kParallelPuts PUTs in flight at once (within the client's own limit).
  Status put_many(std::span<const store::ChunkPut> chunks) override;
  Result<bool> touch(const store::ChunkId& id) override;
  Result<std::vector<std::byte>> get(const store::ChunkId& id) override;
  Result<size_t> read_at(const store::ChunkId& id, uint64_t offset,
                         std::span<std::byte> out) override;
  Status remove(const store::ChunkId& id) override;
  Status for_each(const std::function<Status(const store::StoredChunkInfo&)>& fn) override;
  // Markers are empty objects <prefix>/markers/<kind>/<name>.
  Status put_marker(std::string_view kind, std::string_view name) override;
  Status remove_marker(std::string_view kind, std::string_view name) override;
  Status for_each_marker(std::string_view kind,
                         const std::function<Status(const store::MarkerInfo&)>& fn) override;
  Status check_ready() override;
  bool reads_in_place() const override { return false; }
  bool fast_checks_suffice() const override { return false; }

  // The object key of a chunk.
  std::string key_of(const store::ChunkId& id) const;
  S3Client& client() { return client_; }

 private:
  S3Client client_;
  const std::string chunks_prefix_;   // "<prefix>/chunks/" or "chunks/"
  const std::string markers_prefix_;  // "<prefix>/markers/" or "markers/"
  const S3ChunkStoreOptions options_;
};

}  // namespace coffer::s3
