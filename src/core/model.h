#pragma once
// The domain's plain data types: users, nodes (files and folders) and file versions. No I/O,
// no database or HTTP types.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coffer {

// Microseconds since the Unix epoch, UTC.
using Micros = int64_t;
inline constexpr Micros kMicrosPerSecond = 1'000'000;
Micros now_micros();

enum class Role { kUser, kOperator, kAdmin };
enum class UserStatus { kActive, kDisabled, kLocked, kDeleted };

struct User {
  int64_t id = 0;
  std::string username;
  std::string password_hash;  // Argon2id, libsodium's encoded form
  Role role = Role::kUser;
  UserStatus status = UserStatus::kActive;
  int64_t root_id = 0;  // the user's root folder
  Micros created = 0;
  std::optional<int64_t> quota_bytes;  // none: the server's default
};

enum class NodeKind { kFolder, kFile };

struct Node {
  int64_t id = 0;
  int64_t owner_id = 0;
  int64_t parent_id = 0;  // 0 for a root folder
  std::string name;       // "" for a root folder
  NodeKind kind = NodeKind::kFolder;
  Micros created = 0;
  Micros modified = 0;
  // Files only: the current version.
  int64_t version_id = 0;
  uint64_t size = 0;
  std::string sha256;         // lower-case hex
  std::string mime;           // sniffed from the content; what decisions use
  std::string declared_mime;  // what the client said (Content-Type, else the name's extension)
  // When anything in the subtree last changed (this node, or a member added, changed, moved
  // in or out, deleted or restored below it); strictly increasing per node, 0 when nothing has
  // since schema version 12. Folder ETags are made of it, so that a sync client polling the
  // root sees any change below with one request.
  Micros tree_changed = 0;
  // Files only, from the current version: the content's MD5 (lower-case hex) when it was
  // recorded (versions written through the S3 API; S3 ETags), and the headers an S3 client
  // stored with the object (a JSON object of names to values; empty when none).
  std::string md5;
  std::string object_headers;
  // Files only, from the current version: the content's SHA-1 (lower-case hex) when the
  // uploading client declared it and it matched (OC-Checksum); empty otherwise.
  std::string sha1;
};

// One chunk of a file version, in order.
struct VersionChunk {
  std::string chunk;  // ChunkId hex
  uint64_t offset = 0;
  uint32_t size = 0;         // raw bytes
  uint32_t stored_size = 0;  // encoded bytes in the chunk store
  uint8_t encoding = 0;      // store::ChunkEncoding
  uint64_t check = 0;        // xxHash3 of the raw bytes (store/chunk_check.h); 0: unknown
};

// What a write expects to find at its name (RFC 9110 §13.1: If-Match, If-None-Match), checked
// in the transaction that writes, so that no other write comes between the check and the
// change. A failed expectation is kPreconditionFailed and changes nothing.
struct WritePrecondition {
  bool absent = false;                     // nothing may have the name (If-None-Match: *)
  bool present = false;                    // a file must have it (If-Match: *)
  std::optional<int64_t> current_version;  // the file's current version must be this one
  // Never a new version of what is there: a taken name gets its first free variant
  // ("report (2).pdf", core/name_rules.h), chosen in the commit's transaction so that
  // concurrent writers of one name each get their own (a file drop's visitors).
  bool keep_both = false;
};

struct NewVersion {
  uint64_t size = 0;
  std::string sha256;
  std::string mime;  // sniffed
  std::vector<VersionChunk> chunks;
  std::string declared_mime;
  // The file's modification time as the client reports it (X-OC-Mtime); the commit time when
  // unset.
  std::optional<Micros> modified;
  // Background jobs (core/job.h kinds) to enqueue in the commit's transaction, so that none
  // is lost and none runs for a version that never committed.
  std::vector<std::string> jobs;
  // See Node::md5, Node::object_headers and Node::sha1; empty when not recorded.
  std::string md5;
  std::string object_headers;
  std::string sha1;
  WritePrecondition precondition;
};

// One stored version of a file (newest is the file's current content).
struct FileVersion {
  int64_t id = 0;
  int64_t node_id = 0;
  uint64_t size = 0;
  std::string sha256;
  std::string mime;
  Micros created = 0;
  bool current = false;
  std::string md5;  // see Node::md5
};

// A node in the trash: what the user deleted (its subtree went with it).
struct TrashItem {
  Node node;  // as it was; parent_id is where it came from
  Micros deleted = 0;
  int64_t deleted_by_token = 0;  // the personal API token that deleted it, or 0
  bool parent_live = false;      // false: restoring recreates the missing folders
};

// What a user stores, in logical (uncompressed, undeduplicated) bytes: every version of every
// file they own. `limit` is 0 when unlimited.
struct Usage {
  int64_t files_bytes = 0;       // current versions of live files
  int64_t versions_bytes = 0;    // older versions of live files
  int64_t trash_bytes = 0;       // every version of files in the trash
  int64_t properties_bytes = 0;  // WebDAV dead properties of the user's nodes
  int64_t files = 0;
  int64_t folders = 0;
  int64_t versions = 0;  // older versions
  int64_t trash_items = 0;
  int64_t limit = 0;
  // What the quota counts.
  int64_t used() const { return files_bytes + versions_bytes + trash_bytes + properties_bytes; }
};

// The whole installation, for operators: logical bytes against what the chunk store holds.
struct StorageStats {
  int64_t logical_bytes = 0;  // every version of every file
  int64_t unique_bytes = 0;   // distinct chunks, uncompressed (after deduplication)
  int64_t stored_bytes = 0;   // distinct chunks as stored (after compression)
  int64_t chunks = 0;
};

// Document status. Allowed transitions: pending -> active | error; active -> archived | pending;
// archived -> active; error -> pending | active. An archived node is read-only and hidden from
// listings unless asked for.
enum class DocStatus { kPending, kActive, kArchived, kError };
std::string_view doc_status_name(DocStatus status);
std::optional<DocStatus> parse_doc_status(std::string_view name);
bool doc_status_transition_allowed(DocStatus from, DocStatus to);

// What a user attaches to a node besides its content.
struct NodeAttributes {
  DocStatus status = DocStatus::kActive;
  std::vector<std::string> tags;  // sorted, unique
  std::string metadata_json;      // a JSON object, "" when none
};

struct AttributeChanges {
  std::optional<DocStatus> status;
  std::optional<std::vector<std::string>> tags;  // replaces all tags
  std::optional<std::string> metadata_json;      // replaces; "" clears
};

enum class SortKey { kName, kModified, kSize, kCreated };

struct ListOptions {
  SortKey sort = SortKey::kName;
  bool descending = false;
  uint32_t limit = 100;
  // Keyset cursor: the last node of the previous page (opaque to clients; the API encodes
  // it). Listing resumes strictly after it in the requested order.
  std::optional<Node> after;
  // Filters. Archived nodes are left out unless `status` asks for them, or
  // `include_archived` (with no `status`) lists every status at once.
  std::optional<DocStatus> status;
  bool include_archived = false;
  std::optional<std::string> tag;
  std::optional<std::string> mime_prefix;      // "image/" or "application/pdf"; files only
  std::optional<uint64_t> size_min, size_max;  // inclusive; files only
  std::optional<Micros> modified_after, modified_before;  // [after, before)
  // Whether any filter applies only to files (folders are then left out).
  bool filters_files() const { return mime_prefix || size_min || size_max; }
};

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);
std::string_view user_status_name(UserStatus status);
std::optional<UserStatus> parse_user_status(std::string_view name);

}  // namespace coffer
