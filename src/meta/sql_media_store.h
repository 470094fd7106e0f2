#pragma once
// The MediaStore over any Database dialect (docs/schema.md, "thumbnails", "media_info").
// Thread-safe: every operation is one transaction of the underlying Database.

#include "meta/database.h"
#include "meta/media_store.h"

namespace coffer::meta {

class SqlMediaStore final : public MediaStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlMediaStore(Database& db) : db_(db) {}

  Result<std::optional<Thumbnail>> thumbnail(const std::string& sha256,
                                             const std::string& variant) override;
  Result<bool> has_thumbnails(const std::string& sha256,
                              const std::vector<std::string>& variants) override;
  Result<std::set<std::string>> with_thumbnails(const std::vector<std::string>& sha256s) override;
  Status save(const std::string& sha256, const MediaInfo& info,
              const std::vector<Thumbnail>& thumbnails, Micros now) override;
  Result<std::optional<MediaInfo>> media_info(const std::string& sha256) override;
  Result<int64_t> prune_orphans() override;

 private:
  Database& db_;
};

}  // namespace coffer::meta
