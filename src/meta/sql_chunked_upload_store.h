#pragma once
// The ChunkedUploadStore over any Database dialect (docs/schema.md, tables of migration 14).
// Thread-safe: every operation is one transaction of the underlying Database.

#include "meta/chunked_upload_store.h"
#include "meta/database.h"

namespace coffer::meta {

class SqlChunkedUploadStore final : public ChunkedUploadStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlChunkedUploadStore(Database& db) : db_(db) {}

  Status create(const ChunkedUpload& upload) override;
  Result<ChunkedUpload> get(int64_t owner_id, const std::string& transfer) override;
  Result<std::vector<ChunkedUploadPart>> parts(int64_t owner_id, const std::string& transfer,
                                               bool with_chunks) override;
  Status put_part(int64_t owner_id, const std::string& transfer, const ChunkedUploadPart& part,
                  Micros expires, uint64_t max_parts) override;
  Status delete_part(int64_t owner_id, const std::string& transfer,
                     const std::string& name) override;
  Status remove(int64_t owner_id, const std::string& transfer) override;
  Result<std::vector<ChunkedUpload>> list(int64_t owner_id) override;
  Result<uint64_t> bytes_held(int64_t owner_id) override;
  Result<int64_t> remove_expired(Micros now) override;

 private:
  Database& db_;
};

}  // namespace coffer::meta
