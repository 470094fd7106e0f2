#pragma once
// The metadata store as the domain sees it: users, the folder tree and file versions. One
// implementation (SqlCatalog) runs on any Database dialect; the domain never sees SQL.
//
// Ownership is part of every node operation: a node that belongs to another user is reported
// as kNotFound, never kForbidden, so ids reveal nothing.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "meta/account_store.h"
#include "meta/activity_store.h"
#include "meta/chunked_upload_store.h"
#include "meta/job_store.h"
#include "meta/media_store.h"
#include "meta/property_store.h"
#include "meta/retention_store.h"
#include "meta/s3_key_store.h"
#include "meta/search_index.h"
#include "meta/share_store.h"
#include "meta/upload_store.h"
#include "meta/usage_history_store.h"

namespace coffer::meta {

// One file of Catalog::commit_files.
struct FileCommit {
  int64_t parent_id = 0;
  std::string name;
  NewVersion version;
};

// What Catalog::transfer_node does with its node: moves it, copies it (files share chunks,
// folders are copied with everything below), or copies a folder alone (WebDAV's Depth: 0).
enum class Transfer { kMove, kCopy, kCopyFolderAlone };

// The result of Catalog::transfer_node.
struct Transferred {
  Node node;                     // the moved node, or the copy
  std::optional<Node> previous;  // what stood at the name and went to the trash, if anything
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Users. create_user also creates the user's root folder. Errors: kAlreadyExists.
  virtual Result<User> create_user(const std::string& username, const std::string& password_hash,
                                   Role role) = 0;
  virtual Result<User> find_user(int64_t id) = 0;
  virtual Result<User> find_user_by_name(const std::string& username) = 0;
  virtual Result<std::vector<User>> list_users() = 0;
  virtual Status set_password_hash(int64_t user_id, const std::string& password_hash) = 0;

  // Nodes. Errors: kNotFound (missing or not the owner's).
  virtual Result<Node> get_node(int64_t owner_id, int64_t node_id) = 0;
  virtual Result<Node> find_child(int64_t owner_id, int64_t parent_id, const std::string& name) = 0;
  // The live node at `names` (one or more, already normalised) below `parent_id`, looked up
  // step by step in one read transaction. Errors: kNotFound.
  virtual Result<Node> find_path(int64_t owner_id, int64_t parent_id,
                                 const std::vector<std::string>& names) = 0;
  // Errors: kNotFound (parent), kConflict (parent is a file), kNameConflict.
  virtual Result<Node> create_folder(int64_t owner_id, int64_t parent_id, const std::string& name,
                                     Micros now) = 0;
  // Ordered by kind (folders first), then the sort key, then id.
  virtual Result<std::vector<Node>> list_children(int64_t owner_id, int64_t parent_id,
                                                  const ListOptions& options) = 0;

  // Commits an uploaded file: creates the file `name` in `parent_id`, or, when a file of that
  // name exists, adds `version` as its new current version, and enqueues `version.jobs` for
  // it (an active file then stays pending until they finish). One transaction. Errors:
  // kNotFound (parent), kConflict (parent is a file), kNameConflict (a folder has the name).
  virtual Result<Node> commit_file(int64_t owner_id, int64_t parent_id, const std::string& name,
                                   const NewVersion& version, Micros now) = 0;
  // commit_file for several files of `owner_id`, in order (each sees the ones before it), in
  // one transaction: one durable commit for them all. A file refused for a reason of its own
  // (the errors of commit_file, kInvalidName, kQuotaExceeded, kArchived) is rolled back alone
  // and the others commit; a failure of the transaction (kIoError, kUnavailable, ...) fails
  // every file. Returns one result per file, in the same order.
  virtual std::vector<Result<Node>> commit_files(int64_t owner_id,
                                                 std::span<const FileCommit> files, Micros now) = 0;

  // The changes of an existing node below (move, delete, attributes) take `if_version`: when
  // set, the node must be a file whose current version is still this one when the change
  // commits (the version an If-Match named), else kPreconditionFailed and nothing changes.

  // Renames and/or moves. Errors: kNotFound, kNameConflict, kConflict (into itself or a
  // descendant, into a file, or moving a root folder).
  virtual Result<Node> move_node(int64_t owner_id, int64_t node_id,
                                 std::optional<int64_t> new_parent_id,
                                 std::optional<std::string> new_name, Micros now,
                                 std::optional<int64_t> if_version) = 0;
  Result<Node> move_node(int64_t owner_id, int64_t node_id, std::optional<int64_t> new_parent_id,
                         std::optional<std::string> new_name, Micros now) {
    return move_node(owner_id, node_id, new_parent_id, std::move(new_name), now, std::nullopt);
  }
  // Copies a file (sharing its chunks) or a folder tree. Errors as move_node.
  virtual Result<Node> copy_node(int64_t owner_id, int64_t node_id, int64_t new_parent_id,
                                 const std::string& new_name, Micros now) = 0;
  // Moves or copies `node_id` to `name` in `parent_id` (WebDAV's MOVE and COPY). With
  // `overwrite`, the live node that has that name when it commits (and its subtree) goes to
  // the trash in the same transaction, as deleted by `api_token_id` (0: none); one that fails
  // changes nothing. Errors as move_node or copy_node (kNameConflict without `overwrite`), as
  // delete_node for the replaced node (a legal hold, retention), and kConflict when the
  // replaced node holds `node_id`.
  virtual Result<Transferred> transfer_node(int64_t owner_id, Transfer transfer, int64_t node_id,
                                            int64_t parent_id, const std::string& name,
                                            bool overwrite, Micros now, int64_t api_token_id) = 0;
  // Moves a node and its live subtree to the trash, recording the API token that did it (0:
  // none). Errors: kNotFound, kConflict (a root folder).
  virtual Status delete_node(int64_t owner_id, int64_t node_id, Micros now, int64_t api_token_id,
                             std::optional<int64_t> if_version) = 0;
  Status delete_node(int64_t owner_id, int64_t node_id, Micros now, int64_t api_token_id) {
    return delete_node(owner_id, node_id, now, api_token_id, std::nullopt);
  }

  // The trash: what the user deleted, newest first.
  virtual Result<std::vector<TrashItem>> list_trash(int64_t owner_id) = 0;
  // Puts a deleted node (and what went with it) back where it was, under `new_name` if given,
  // recreating parent folders that are gone. Errors: kNotFound (not in the trash),
  // kNameConflict (the name is taken there now; retry with a new name).
  virtual Result<Node> restore_trashed(int64_t owner_id, int64_t node_id,
                                       const std::optional<std::string>& new_name, Micros now) = 0;
  // The trash items deleted in [after, before), by `api_token_id` when given, newest first.
  virtual Result<std::vector<int64_t>> trashed_between(int64_t owner_id, Micros after,
                                                       Micros before,
                                                       std::optional<int64_t> api_token_id) = 0;
  // How many nodes `api_token_id` (or, with 0, the user's sessions) deleted since `since`.
  virtual Result<int64_t> count_deleted_since(int64_t owner_id, int64_t api_token_id,
                                              Micros since) = 0;
  // Deletes a trash item for good (its chunks go when unreferenced). Errors: kNotFound.
  virtual Status purge_trashed(int64_t owner_id, int64_t node_id) = 0;
  // Purges the whole trash of a user; returns the number of items.
  virtual Result<int64_t> empty_trash(int64_t owner_id) = 0;
  // Purges every user's trash items deleted before `cutoff` (retention); returns how many.
  virtual Result<int64_t> purge_trash_before(Micros cutoff) = 0;

  // Status, tags and metadata of a live node. Errors: kNotFound.
  virtual Result<NodeAttributes> attributes(int64_t owner_id, int64_t node_id) = 0;
  // Errors: kNotFound, kStatusTransition (a forbidden status change).
  virtual Result<NodeAttributes> set_attributes(int64_t owner_id, int64_t node_id,
                                                const AttributeChanges& changes, Micros now,
                                                std::optional<int64_t> if_version) = 0;
  Result<NodeAttributes> set_attributes(int64_t owner_id, int64_t node_id,
                                        const AttributeChanges& changes, Micros now) {
    return set_attributes(owner_id, node_id, changes, now, std::nullopt);
  }

  // Versions of a file, newest first. Errors: kNotFound (not the owner's live file).
  virtual Result<std::vector<FileVersion>> list_versions(int64_t owner_id, int64_t node_id) = 0;
  // The file as it was at `version_id` (size, hash, MIME and version of that version), for
  // downloads. Errors: kNotFound.
  virtual Result<Node> file_at_version(int64_t owner_id, int64_t node_id, int64_t version_id) = 0;
  // Makes a copy of an old version the newest one (sharing its chunks) and enqueues `jobs`
  // for it, as a commit does. Errors: kNotFound.
  virtual Result<Node> restore_version(int64_t owner_id, int64_t node_id, int64_t version_id,
                                       const std::vector<std::string>& jobs, Micros now) = 0;
  // Deletes an old version (its chunks go when garbage collection finds them unreferenced).
  // Errors: kNotFound, kConflict (the current version).
  virtual Status delete_version(int64_t owner_id, int64_t node_id, int64_t version_id) = 0;

  // The file `file_id` as it was at `version_id` (size, digest, MIME type from that version;
  // `modified` is when the version was made), whoever owns it: for holders of a signed
  // download URL, whose signature is the authority. Errors: kNotFound (no such file or no
  // longer that version's, deleted, or the owner is no longer active).
  virtual Result<Node> get_file_version(int64_t file_id, int64_t version_id) = 0;

  // The chunk list of a version, ordered by offset.
  virtual Result<std::vector<VersionChunk>> version_chunks(int64_t version_id) = 0;

  // Maintenance. Calls fn for every distinct chunk referenced by any version or by an upload
  // in progress (UploadStore, ChunkedUploadStore).
  virtual Status for_each_referenced_chunk(const std::function<Status(const std::string&)>& fn) = 0;
  struct VersionRecord {
    int64_t version_id = 0;
    int64_t node_id = 0;
    uint64_t size = 0;
    std::string sha256;
  };
  virtual Status for_each_version(const std::function<Status(const VersionRecord&)>& fn) = 0;
  // Quotas. A user without a quota of their own gets the default (0: unlimited). Commits,
  // copies and version restores check the quota in their transaction and fail with
  // kQuotaExceeded, so concurrent uploads never overshoot.
  virtual void set_default_quota_bytes(int64_t bytes) = 0;
  // Version retention: a commit keeps at most `keep_versions` older versions of the file
  // (0: all); prune_versions_before() deletes older versions created before `cutoff` (the
  // age limit, applied by the periodic collector). The current version always stays.
  virtual void set_keep_versions(int64_t keep_versions) = 0;
  virtual Result<int64_t> prune_versions_before(Micros cutoff) = 0;
  virtual Result<Usage> usage(int64_t owner_id) = 0;
  // The bytes `owner_id` may still add under their quota, or nullopt when they have none. Far
  // cheaper than usage() for users without a quota (it sums nothing), so uploads ask this.
  virtual Result<std::optional<uint64_t>> quota_room(int64_t owner_id) = 0;
  virtual Result<StorageStats> storage_stats() = 0;

  // Total logical bytes of current file versions, for metrics.
  virtual Result<uint64_t> stored_bytes() = 0;
  // Cheap round trip, for /health/ready.
  virtual Status ping() = 0;

  // Sessions, API tokens, throttling and the audit log, in the same database.
  virtual AccountStore& accounts() = 0;
  // Shares with users and groups, and public links, in the same database.
  virtual ShareStore& shares() = 0;
  // Resumable uploads in progress, in the same database.
  virtual UploadStore& uploads() = 0;
  // Sync clients' chunked uploads in progress, in the same database.
  virtual ChunkedUploadStore& chunked_uploads() = 0;
  // WebDAV dead properties, in the same database.
  virtual PropertyStore& properties() = 0;
  // The background job queue and what media processing derived, in the same database.
  virtual JobStore& jobs() = 0;
  virtual MediaStore& media() = 0;
  // The full-text index; the catalog keeps its names, paths, tags and metadata current.
  virtual SearchIndex& search() = 0;
  // File activity and storage usage over time, in the same database.
  virtual ActivityStore& activity() = 0;
  virtual UsageHistoryStore& usage_history() = 0;
  // The S3-compatible API's access keys, in the same database.
  virtual S3KeyStore& s3_keys() = 0;
  // Retention rules and legal holds, in the same database; the changes above enforce them in
  // their transactions (kRetentionActive, kLegalHold), and the trash and version purges skip
  // what they lock.
  virtual RetentionStore& retention() = 0;
};

// Opens (creating if needed) the SQLite metadata database at `path` and applies pending
// migrations. Up to `max_readers` read transactions run at once, each on its own connection
// (opened as needed); one per thread that may read keeps readers from waiting for each other.
// Errors: kIoError, kCorruption, kUnavailable.
Result<std::unique_ptr<Catalog>> open_sqlite_catalog(const std::string& path, int max_readers = 4);

// Opens the PostgreSQL metadata database at `url` (postgres://USER:PASSWORD@HOST:PORT/DB).
// Pending migrations are applied through `migration_url` when it is given (a role that may
// change the schema), so the role of `url` needs only SELECT, INSERT, UPDATE and DELETE;
// otherwise through `url` itself. Errors: kInvalidArgument (a malformed URL), kUnavailable
// (unreachable, refused, or a schema that is behind and cannot be migrated by that role).
// Messages never contain a password.
Result<std::unique_ptr<Catalog>> open_postgres_catalog(const std::string& url,
                                                       const std::string& migration_url = "");

}  // namespace coffer::meta
