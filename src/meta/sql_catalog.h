#pragma once
// The Catalog over any Database (docs/schema.md). Written against the dialect-neutral
// interface of database.h only, so the same code serves SQLite and PostgreSQL.
//
// Thread-safe: every operation is one transaction of the underlying Database. Those that
// change a user's tree (create, commit, move, copy, delete, restore, purge, attributes,
// versions) are Database::transact_exclusive() on the owner's id: one user's concurrent
// changes wait in line instead of aborting each other under PostgreSQL's serializable
// isolation until the retries run out.

#include <atomic>
#include <memory>

#include "meta/catalog.h"
#include "meta/database.h"
#include "meta/sql_account_store.h"
#include "meta/sql_activity_store.h"
#include "meta/sql_chunked_upload_store.h"
#include "meta/sql_job_store.h"
#include "meta/sql_media_store.h"
#include "meta/sql_property_store.h"
#include "meta/sql_retention_store.h"
#include "meta/sql_s3_key_store.h"
#include "meta/sql_search_index.h"
#include "meta/sql_share_store.h"
#include "meta/sql_upload_store.h"
#include "meta/sql_usage_history_store.h"

namespace coffer::meta {

class SqlCatalog final : public Catalog {
 public:
  // REQUIRES: `db` is migrated to latest_schema_version() (see open_catalog).
  explicit SqlCatalog(std::unique_ptr<Database> db);

  Result<User> create_user(const std::string& username, const std::string& password_hash,
                           Role role) override;
  Result<User> find_user(int64_t id) override;
  Result<User> find_user_by_name(const std::string& username) override;
  Result<std::vector<User>> list_users() override;
  Status set_password_hash(int64_t user_id, const std::string& password_hash) override;

  // The overloads without a version condition.
  using Catalog::delete_node;
  using Catalog::move_node;
  using Catalog::set_attributes;

  Result<Node> get_node(int64_t owner_id, int64_t node_id) override;
  Result<Node> find_child(int64_t owner_id, int64_t parent_id, const std::string& name) override;
  Result<Node> find_path(int64_t owner_id, int64_t parent_id,
                         const std::vector<std::string>& names) override;
  Result<Node> create_folder(int64_t owner_id, int64_t parent_id, const std::string& name,
                             Micros now) override;
  Result<std::vector<Node>> list_children(int64_t owner_id, int64_t parent_id,
                                          const ListOptions& options) override;
  Result<Node> commit_file(int64_t owner_id, int64_t parent_id, const std::string& name,
                           const NewVersion& version, Micros now) override;
  std::vector<Result<Node>> commit_files(int64_t owner_id, std::span<const FileCommit> files,
                                         Micros now) override;
  Result<Node> move_node(int64_t owner_id, int64_t node_id, std::optional<int64_t> new_parent_id,
                         std::optional<std::string> new_name, Micros now,
                         std::optional<int64_t> if_version) override;
  Result<Node> copy_node(int64_t owner_id, int64_t node_id, int64_t new_parent_id,
                         const std::string& new_name, Micros now) override;
  Result<Transferred> transfer_node(int64_t owner_id, Transfer transfer, int64_t node_id,
                                    int64_t parent_id, const std::string& name, bool overwrite,
                                    Micros now, int64_t api_token_id) override;
  Status delete_node(int64_t owner_id, int64_t node_id, Micros now, int64_t api_token_id,
                     std::optional<int64_t> if_version) override;
  Result<std::vector<TrashItem>> list_trash(int64_t owner_id) override;
  Result<Node> restore_trashed(int64_t owner_id, int64_t node_id,
                               const std::optional<std::string>& new_name, Micros now) override;
  Result<std::vector<int64_t>> trashed_between(int64_t owner_id, Micros after, Micros before,
                                               std::optional<int64_t> api_token_id) override;
  Result<int64_t> count_deleted_since(int64_t owner_id, int64_t api_token_id,
                                      Micros since) override;
  Status purge_trashed(int64_t owner_id, int64_t node_id) override;
  Result<int64_t> empty_trash(int64_t owner_id) override;
  Result<int64_t> purge_trash_before(Micros cutoff) override;

  Result<NodeAttributes> attributes(int64_t owner_id, int64_t node_id) override;
  Result<NodeAttributes> set_attributes(int64_t owner_id, int64_t node_id,
                                        const AttributeChanges& changes, Micros now,
                                        std::optional<int64_t> if_version) override;
  Result<std::vector<FileVersion>> list_versions(int64_t owner_id, int64_t node_id) override;
  Result<Node> file_at_version(int64_t owner_id, int64_t node_id, int64_t version_id) override;
  Result<Node> restore_version(int64_t owner_id, int64_t node_id, int64_t version_id,
                               const std::vector<std::string>& jobs, Micros now) override;
  Status delete_version(int64_t owner_id, int64_t node_id, int64_t version_id) override;

  Result<Node> get_file_version(int64_t file_id, int64_t version_id) override;
  Result<std::vector<VersionChunk>> version_chunks(int64_t version_id) override;

  Status for_each_referenced_chunk(const std::function<Status(const std::string&)>& fn) override;
  Status for_each_version(const std::function<Status(const VersionRecord&)>& fn) override;
  void set_default_quota_bytes(int64_t bytes) override { default_quota_.store(bytes); }
  void set_keep_versions(int64_t keep_versions) override { keep_versions_.store(keep_versions); }
  Result<int64_t> prune_versions_before(Micros cutoff) override;
  Result<Usage> usage(int64_t owner_id) override;
  Result<std::optional<uint64_t>> quota_room(int64_t owner_id) override;
  Result<StorageStats> storage_stats() override;
  Result<uint64_t> stored_bytes() override;
  Status ping() override;
  AccountStore& accounts() override { return accounts_; }
  ShareStore& shares() override { return shares_; }
  UploadStore& uploads() override { return uploads_; }
  ChunkedUploadStore& chunked_uploads() override { return chunked_uploads_; }
  PropertyStore& properties() override { return properties_; }
  JobStore& jobs() override { return jobs_; }
  MediaStore& media() override { return media_; }
  SearchIndex& search() override { return search_; }
  ActivityStore& activity() override { return activity_; }
  UsageHistoryStore& usage_history() override { return usage_history_; }
  S3KeyStore& s3_keys() override { return s3_keys_; }
  RetentionStore& retention() override { return retention_; }

  Database& database() { return *db_; }

 private:
  // Fails with kQuotaExceeded when the owner is past their quota (inside a write transaction).
  Status within_quota(Connection& conn, int64_t owner_id);

  std::unique_ptr<Database> db_;
  SqlAccountStore accounts_{*db_};
  SqlShareStore shares_{*db_};
  SqlUploadStore uploads_{*db_};
  SqlChunkedUploadStore chunked_uploads_{*db_};
  SqlPropertyStore properties_{
      *db_, [this](Connection& conn, int64_t owner_id) { return within_quota(conn, owner_id); }};
  SqlJobStore jobs_{*db_};
  SqlMediaStore media_{*db_};
  SqlSearchIndex search_{*db_};
  SqlActivityStore activity_{*db_};
  SqlUsageHistoryStore usage_history_{*db_};
  SqlS3KeyStore s3_keys_{*db_};
  SqlRetentionStore retention_{*db_};
  std::atomic<int64_t> default_quota_{0};
  std::atomic<int64_t> keep_versions_{0};
};

// Migrates `db` (migrations.h) and wraps it in a SqlCatalog. Shared by every backend's
// open function. Errors: as migrate().
Result<std::unique_ptr<Catalog>> open_catalog(std::unique_ptr<Database> db);

}  // namespace coffer::meta
