#pragma once
// The files-and-folders domain: uploads through the storage engine into the catalog,
// downloads out of it, and the tree operations. Free of HTTP and SQL: it speaks Node, Status
// and ByteSource. Every call names the acting user (`actor`, or `owner_id` in UploadRequest)
// and passes the AccessPolicy first: the owner, or a user a share reaches, then acts on the
// owner's tree. A node the actor may not see is kNotFound.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/account.h"
#include "core/byte_source.h"
#include "core/model.h"
#include "core/sharing.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "service/access_policy.h"
#include "service/activity_log.h"
#include "service/audit_log.h"
#include "service/damaged_chunks.h"
#include "service/job_registry.h"
#include "service/upload_policy.h"
#include "service/version_chunk_cache.h"
#include "store/chunk_store.h"
#include "store/chunker.h"
#include "store/gc_leases.h"
#include "store/inflight_chunks.h"
#include "store/object_writer.h"

namespace coffer::service {

struct UploadRequest {
  int64_t owner_id = 0;
  int64_t parent_id = 0;
  std::string name;  // as the client sent it; normalised here
  ByteSource* body = nullptr;
  // When set, the body must hash to this SHA-256 (lower-case hex) or nothing is stored.
  std::optional<std::string> expected_sha256;
  // When set, the body must hash to this SHA-1 (lower-case hex) or nothing is stored; the
  // version records it (Node::sha1). Computed only when a client declares one.
  std::optional<std::string> expected_sha1;
  // When set, a body of any other length is refused.
  std::optional<uint64_t> expected_size;
  // The client's Content-Type for the file; empty or generic: the name's extension decides.
  std::string declared_mime;
  // The file's modification time as the client has it (a sync client's X-OC-Mtime); the
  // commit time when unset.
  std::optional<Micros> modified;
  // When set, called once the body has ended (before the commit) for the content's MD5
  // (lower-case hex) to record with the version: the S3 API's body readers compute it as the
  // bytes pass. Recorded as given.
  std::function<std::string()> content_md5;
  // Headers an S3 client stores with the object (JSON object), recorded with the version.
  std::string object_headers;
  // What the client expects at the name (If-Match, If-None-Match), checked in the commit.
  WritePrecondition precondition;
};

// The catalog's chunk list for `manifest`, whose object starts at `base_offset` of the file.
std::vector<VersionChunk> version_chunks_of(const store::ObjectManifest& manifest,
                                            uint64_t base_offset = 0);

class FileService {
 public:
  // Every upload holds a lease from `leases` until it has committed or failed, so that garbage
  // collection in any process leaves its chunks alone.
  FileService(meta::Catalog& catalog, store::ChunkStore& chunks, store::InflightChunks& inflight,
              store::GcLeases& leases, store::ChunkerParams chunker_params = {});

  // Set before serving. The policy applies to uploads; the registry says which background
  // jobs a new version needs (enqueued with its commit), and `on_enqueued` is called after a
  // commit that enqueued some (to wake the workers).
  void set_upload_policy(UploadPolicy policy) { policy_ = std::move(policy); }
  void set_jobs(const JobRegistry* registry, std::function<void()> on_enqueued) {
    jobs_ = registry;
    on_enqueued_ = std::move(on_enqueued);
  }
  // Where successful operations are recorded (null: nowhere). Must outlive the service.
  void set_activity(ActivityLog* activity) { activity_ = activity; }
  // Where deletions are audited (null: nowhere; must outlive the service), and how many nodes
  // one client (an API token, or the user's other credentials) may delete within a minute
  // before the audit log flags it once (0: never).
  void set_audit(AuditLog* audit, int64_t mass_delete_threshold) {
    audit_ = audit;
    mass_delete_threshold_ = mass_delete_threshold;
  }

  // Streams the body into the chunk store, then commits the version. The content type is
  // sniffed from the first bytes (media/sniffer.h) and checked against the upload policy
  // before anything is stored. Until the commit returns, nothing is visible; when it returns
  // OK the file is durable. Errors: those of normalize_name and Catalog::commit_file,
  // kChecksumMismatch, kInvalidArgument (size mismatch), kClientClosed/kRequestTimeout (body),
  // kIoError (storage), kUnavailable (a garbage collection sweep kept the upload waiting too
  // long), kTypeNotAllowed and kFileTooLarge (the upload policy; refused with Content-Length
  // before the body is read where the limit allows).
  Result<Node> upload(const UploadRequest& request);

  // Uploads that commit together, one flush for the lot (service/upload_batch.h).
  class Batch;

  // Stores derived bytes (a thumbnail) as chunks under a GC lease, and calls `commit` with
  // their chunk list (size, sha256, chunks; no node) while the chunks are still pinned, so
  // that the caller records them before garbage collection could see them unreferenced.
  Status store_derived(std::string_view bytes,
                       const std::function<Status(const NewVersion&)>& commit);

  Result<Node> root(int64_t owner_id);
  Result<Node> stat(int64_t actor, int64_t node_id);
  // What `actor` may do on `node_id` (AccessPolicy::check), for callers that act on their own.
  Result<Access> access(int64_t actor, int64_t node_id, Permission need) const;
  Result<Node> create_folder(int64_t actor, int64_t parent_id, std::string_view name);
  Result<std::vector<Node>> list(int64_t actor, int64_t folder_id, const ListOptions& options);
  // Resolves "/a/b" from the user's root. "/" is the root.
  Result<Node> resolve_path(int64_t owner_id, std::string_view path);
  // The id of `owner_id`'s root folder, remembered after the first look-up (it never changes).
  Result<int64_t> root_id(int64_t owner_id);
  // The node at `names` (normalised, at least one) below the folder `folder_id` of
  // `owner_id`'s own tree, in one look-up and without the access check of resolve_below:
  // each step is looked up within that owner's tree, so a folder id of another tree finds
  // nothing (kNotFound). For callers acting on their own files only (the S3 API), where
  // every look-up counts.
  Result<Node> resolve_own(int64_t owner_id, int64_t folder_id,
                           const std::vector<std::string>& names);
  // Resolves "/a/b" from `node_id`, which `actor` must be able to read (their own or one shared
  // with them), in that node's owner's tree. "/" is the node itself.
  Result<Node> resolve_below(int64_t actor, int64_t node_id, std::string_view path);
  // Moves and copies stay within one owner's tree (kConflict otherwise). move, remove and
  // set_attributes take `if_version`: the version an If-Match named, which must still be the
  // file's current one when the change commits (Catalog: kPreconditionFailed otherwise).
  Result<Node> move(int64_t actor, int64_t node_id, std::optional<int64_t> new_parent_id,
                    std::optional<std::string_view> new_name,
                    std::optional<int64_t> if_version = std::nullopt);
  Result<Node> copy(int64_t actor, int64_t node_id, std::optional<int64_t> new_parent_id,
                    std::optional<std::string_view> new_name);
  // WebDAV's MOVE and COPY (Catalog::transfer_node). With `overwrite` (Overwrite: T),
  // whatever has the name in `parent_id` when the change commits goes to the trash in the
  // same transaction and is audited as a deletion by `who`, as remove() does. Access as move
  // (or copy), and for the replaced node as remove.
  Result<meta::Transferred> transfer(const Principal& who, const RequestOrigin& origin,
                                     meta::Transfer how, int64_t node_id, int64_t parent_id,
                                     std::string_view name, bool overwrite);
  // Moves a node and its subtree to the (owner's) trash, for every protocol alike: `who`'s API
  // token is recorded so that a mass deletion by one client can be undone, and the deletion is
  // an audit event naming the credential (set_audit; scripts and sync clients deleting by
  // mistake are the common cause of data loss).
  Status remove(const Principal& who, const RequestOrigin& origin, int64_t node_id,
                std::optional<int64_t> if_version = std::nullopt);
  // Puts an item of the actor's own trash back (Catalog::restore_trashed).
  Result<Node> restore_trashed(int64_t actor, int64_t node_id,
                               const std::optional<std::string>& new_name);

  // Status, tags and metadata (Catalog::attributes / set_attributes).
  Result<NodeAttributes> attributes(int64_t actor, int64_t node_id);
  Result<NodeAttributes> set_attributes(int64_t actor, int64_t node_id,
                                        const AttributeChanges& changes,
                                        std::optional<int64_t> if_version = std::nullopt);
  // Versions (the Catalog calls of the same names).
  Result<std::vector<FileVersion>> list_versions(int64_t actor, int64_t file_id);
  Result<Node> file_at_version(int64_t actor, int64_t file_id, int64_t version_id);
  Result<Node> restore_version(int64_t actor, int64_t file_id, int64_t version_id);
  Status delete_version(int64_t actor, int64_t file_id, int64_t version_id);
  // One version of a file, for a signed download URL (Catalog::get_file_version).
  Result<Node> stat_version(int64_t file_id, int64_t version_id);

  // Opens bytes [offset, offset + length) of the version `file` names (file.version_id).
  // Every chunk is verified before its bytes are read (store::ObjectReader); the chunk
  // holding the first byte is fetched and verified here, so that a caller starting a
  // response learns of its damage before sending anything. A damaged chunk is recorded in
  // damaged_chunks(). REQUIRES: the range lies within file.size. Errors: kCorruption (a
  // damaged or missing chunk), kIoError, and those of the catalog.
  Result<std::unique_ptr<ByteSource>> open_content(const Node& file, uint64_t offset,
                                                   uint64_t length);
  // Opens bytes [offset, offset + length) of the object made of `chunks` (ordered by
  // offset, contiguous), e.g. a resumable upload's or a thumbnail, like open_content.
  // REQUIRES: the range lies within them.
  Result<std::unique_ptr<ByteSource>> open_chunks(const std::vector<VersionChunk>& chunks,
                                                  uint64_t offset, uint64_t length);

  // The chunks reads found damaged since the process started.
  DamagedChunks& damaged_chunks() { return damaged_; }

  uint64_t uploads_in_flight() const;

 private:
  meta::Catalog& catalog_;
  store::ChunkStore& chunks_;
  store::InflightChunks& inflight_;
  store::GcLeases& leases_;
  store::Chunker chunker_;
  AccessPolicy access_;
  VersionChunkCache version_chunks_;
  std::atomic<uint64_t> uploads_in_flight_{0};

  Status check_destination(int64_t actor, int64_t owner_id, int64_t parent_id) const;
  // The normalised names of "/a/b" ("/" and "" steps skipped). kInvalidArgument when `path`
  // does not start with '/' or a name is not allowed.
  static Result<std::vector<std::string>> path_names(std::string_view path);
  UploadPolicy policy_;
  const JobRegistry* jobs_ = nullptr;
  std::function<void()> on_enqueued_;
  std::mutex roots_mu_;
  std::unordered_map<int64_t, int64_t> roots_;  // GUARDED_BY(roots_mu_): owner -> root id
  ActivityLog* activity_ = nullptr;
  AuditLog* audit_ = nullptr;
  int64_t mass_delete_threshold_ = 0;
  DamagedChunks damaged_;

  // open_chunks for version `version_id` of file `file_id` (0, 0: not a file version).
  Result<std::unique_ptr<ByteSource>> open_object(const std::vector<VersionChunk>& chunks,
                                                  uint64_t offset, uint64_t length, int64_t file_id,
                                                  int64_t version_id);
  void note(const Node& node, int64_t actor, std::string_view action, std::string detail = "");
  // Notes `placed`, the copy of `source` or `source` moved or renamed (nothing when it stayed).
  void note_placed(const Node& source, const Node& placed, int64_t actor, bool copied);
  // The nodes `who`'s client (API token, or the user's other credentials) deleted in the last
  // minute, when the mass-deletion check is on (else 0).
  int64_t recent_deletions(const Principal& who);
  // Audits the deletion of `node` by `who`, flagging a mass deletion when this one took the
  // client past the threshold (`before`: recent_deletions() before it).
  void audit_deletion(const Principal& who, const RequestOrigin& origin, const Node& node,
                      int64_t before);

  // An upload whose chunks are stored (or in a batch) and whose version waits for its commit.
  struct Staged {
    int64_t actor = 0;
    int64_t owner_id = 0;
    int64_t parent_id = 0;
    std::string name;  // normalised
    NewVersion version;
    // Declared before the writer: the lease ends after the pins.
    std::unique_ptr<store::UploadLease> lease;
    // Holds the pins of the chunks (safe from GC) until it is destroyed, after the commit.
    std::unique_ptr<store::ObjectWriter> writer;
  };
  // upload() up to the commit: the checks, then the body into the chunk store (or into
  // `batch`, when given). Errors: those of upload() but the commit's.
  Result<Staged> stage(const UploadRequest& request, store::ChunkBatch* batch);
  // What follows a successful commit of `staged` as `node` at `now`: wakes the job workers
  // and records the activity.
  void after_commit(const Staged& staged, const Node& node, Micros now);
};

}  // namespace coffer::service
