#pragma once
// The UploadStore over any Database dialect (docs/schema.md, tables of migration 6).
// Thread-safe: every operation is one transaction of the underlying Database.

#include "meta/database.h"
#include "meta/upload_store.h"

namespace coffer::meta {

class SqlUploadStore final : public UploadStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlUploadStore(Database& db) : db_(db) {}

  Status create_upload(const UploadRecord& record) override;
  Result<UploadRecord> get_upload(int64_t owner_id, const std::string& id) override;
  Result<UploadRecord> append_upload(int64_t owner_id, const std::string& id,
                                     uint64_t expected_offset, uint64_t bytes,
                                     const std::vector<VersionChunk>& chunks,
                                     std::optional<uint64_t> length, Micros expires,
                                     std::optional<UploadRoom> room) override;
  Result<uint64_t> bytes_in_progress(int64_t owner_id, Micros now) override;
  Result<std::vector<VersionChunk>> upload_chunks(const std::string& id) override;
  Status complete_upload(int64_t owner_id, const std::string& id, int64_t file_id) override;
  Status delete_upload(int64_t owner_id, const std::string& id) override;
  Result<int64_t> delete_expired_uploads(Micros now) override;

 private:
  Database& db_;
};

}  // namespace coffer::meta
