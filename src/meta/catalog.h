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
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "meta/account_store.h"

namespace coffer::meta {

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
  // Errors: kNotFound (parent), kConflict (parent is a file), kNameConflict.
  virtual Result<Node> create_folder(int64_t owner_id, int64_t parent_id, const std::string& name,
                                     Micros now) = 0;
  // Ordered by kind (folders first), then the sort key, then id.
  virtual Result<std::vector<Node>> list_children(int64_t owner_id, int64_t parent_id,
                                                  const ListOptions& options) = 0;

  // Commits an uploaded file: creates the file `name` in `parent_id`, or, when a file of that
  // name exists, adds `version` as its new current version. One transaction. Errors:
  // kNotFound (parent), kConflict (parent is a file), kNameConflict (a folder has the name).
  virtual Result<Node> commit_file(int64_t owner_id, int64_t parent_id, const std::string& name,
                                   const NewVersion& version, Micros now) = 0;

  // Renames and/or moves. Errors: kNotFound, kNameConflict, kConflict (into itself or a
  // descendant, into a file, or moving a root folder).
  virtual Result<Node> move_node(int64_t owner_id, int64_t node_id,
                                 std::optional<int64_t> new_parent_id,
                                 std::optional<std::string> new_name, Micros now) = 0;
  // Copies a file (sharing its chunks) or a folder tree. Errors as move_node.
  virtual Result<Node> copy_node(int64_t owner_id, int64_t node_id, int64_t new_parent_id,
                                 const std::string& new_name, Micros now) = 0;
  // Deletes a node and its subtree. Errors: kNotFound, kConflict (a root folder).
  virtual Status delete_node(int64_t owner_id, int64_t node_id) = 0;

  // The file `file_id` as it was at `version_id` (size, digest, MIME type from that version;
  // `modified` is when the version was made), whoever owns it: for holders of a signed
  // download URL, whose signature is the authority. Errors: kNotFound (no such file or no
  // longer that version's, deleted, or the owner is no longer active).
  virtual Result<Node> get_file_version(int64_t file_id, int64_t version_id) = 0;

  // The chunk list of a version, ordered by offset.
  virtual Result<std::vector<VersionChunk>> version_chunks(int64_t version_id) = 0;

  // Maintenance. Calls fn for every distinct chunk referenced by any version.
  virtual Status for_each_referenced_chunk(const std::function<Status(const std::string&)>& fn) = 0;
  struct VersionRecord {
    int64_t version_id = 0;
    int64_t node_id = 0;
    uint64_t size = 0;
    std::string sha256;
  };
  virtual Status for_each_version(const std::function<Status(const VersionRecord&)>& fn) = 0;
  // Total logical bytes of current file versions, for metrics.
  virtual Result<uint64_t> stored_bytes() = 0;
  // Cheap round trip, for /health/ready.
  virtual Status ping() = 0;

  // Sessions, API tokens, throttling and the audit log, in the same database.
  virtual AccountStore& accounts() = 0;
};

// Opens (creating if needed) the SQLite metadata database at `path` and applies pending
// migrations. Errors: kIoError, kCorruption, kUnavailable.
Result<std::unique_ptr<Catalog>> open_sqlite_catalog(const std::string& path);

// Opens the PostgreSQL metadata database at `url` (postgres://USER:PASSWORD@HOST:PORT/DB).
// Pending migrations are applied through `migration_url` when it is given (a role that may
// change the schema), so the role of `url` needs only SELECT, INSERT, UPDATE and DELETE;
// otherwise through `url` itself. Errors: kInvalidArgument (a malformed URL), kUnavailable
// (unreachable, refused, or a schema that is behind and cannot be migrated by that role).
// Messages never contain a password.
Result<std::unique_ptr<Catalog>> open_postgres_catalog(const std::string& url,
                                                       const std::string& migration_url = "");

}  // namespace coffer::meta
