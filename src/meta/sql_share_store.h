#pragma once
// The ShareStore over any Database dialect (tables of migration 6).
// Thread-safe: every operation is one transaction of the underlying Database.

#include "meta/database.h"
#include "meta/share_store.h"

namespace coffer::meta {

class SqlShareStore final : public ShareStore {
 public:
  // `db` must outlive the store and be migrated to the latest schema.
  explicit SqlShareStore(Database& db) : db_(db) {}

  Result<Share> put_share(int64_t owner_id, int64_t node_id, int64_t user_id, int64_t group_id,
                          Permission permission, Micros now) override;
  Result<std::vector<Share>> node_shares(int64_t owner_id, int64_t node_id) override;
  Result<Share> get_share(int64_t share_id) override;
  Status delete_share(int64_t share_id) override;
  Result<std::vector<SharedWithMe>> shared_with(int64_t user_id) override;
  Result<std::optional<Access>> share_access(int64_t user_id, int64_t node_id) override;
  Result<bool> is_within(int64_t ancestor_id, int64_t node_id) override;

  Result<ShareLink> create_link(int64_t owner_id, const NewLink& link, Micros now) override;
  Result<std::vector<ShareLink>> list_links(int64_t owner_id,
                                            std::optional<int64_t> node_id) override;
  Result<ShareLink> get_link(int64_t owner_id, int64_t link_id) override;
  Result<ShareLink> update_link(int64_t owner_id, int64_t link_id,
                                const LinkChanges& changes) override;
  Status delete_link(int64_t owner_id, int64_t link_id) override;
  Result<std::optional<ShareLink>> find_link(const std::string& token_hash) override;
  Status count_view(int64_t link_id) override;
  Result<bool> count_download(int64_t link_id) override;

 private:
  Database& db_;
};

}  // namespace coffer::meta
