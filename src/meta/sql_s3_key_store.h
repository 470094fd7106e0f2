#pragma once
// The S3KeyStore over any Database dialect (table s3_keys, migration 15).
// Thread-safe: every operation is one transaction of the underlying Database.

#include "meta/database.h"
#include "meta/s3_key_store.h"

namespace coffer::meta {

class SqlS3KeyStore final : public S3KeyStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlS3KeyStore(Database& db) : db_(db) {}

  Result<S3Key> create_s3_key(int64_t user_id, const std::string& name, uint32_t scopes,
                              const std::string& access_key_id, const std::string& sealed_secret,
                              Micros now, size_t max_active) override;
  Result<std::vector<S3Key>> list_s3_keys(int64_t user_id) override;
  Status revoke_s3_key(int64_t user_id, int64_t key_id, Micros now) override;
  Result<S3KeyUse> use_s3_key(const std::string& access_key_id, Micros now) override;

 private:
  Database& db_;
};

}  // namespace coffer::meta
