#pragma once
// The files-and-folders domain: uploads through the storage engine into the catalog,
// downloads out of it, and the tree operations. Free of HTTP and SQL: it speaks Node, Status
// and ByteSource. Every call names the acting user; ownership is enforced by the catalog.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_source.h"
#include "core/model.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "store/chunk_store.h"
#include "store/chunker.h"
#include "store/gc_leases.h"
#include "store/inflight_chunks.h"

namespace coffer::service {

struct UploadRequest {
  int64_t owner_id = 0;
  int64_t parent_id = 0;
  std::string name;  // as the client sent it; normalised here
  ByteSource* body = nullptr;
  // When set, the body must hash to this SHA-256 (lower-case hex) or nothing is stored.
  std::optional<std::string> expected_sha256;
  // When set, a body of any other length is refused.
  std::optional<uint64_t> expected_size;
};

class FileService {
 public:
  // Every upload holds a lease from `leases` until it has committed or failed, so that garbage
  // collection in any process leaves its chunks alone.
  FileService(meta::Catalog& catalog, store::ChunkStore& chunks, store::InflightChunks& inflight,
              store::GcLeases& leases, store::ChunkerParams chunker_params = {});

  // Streams the body into the chunk store, then commits the version. Until the commit
  // returns, nothing is visible; when it returns OK the file is durable. Errors: those of
  // normalize_name and Catalog::commit_file, kChecksumMismatch, kInvalidArgument (size
  // mismatch), kClientClosed/kRequestTimeout (body), kIoError (storage), kUnavailable (a
  // garbage collection sweep kept the upload waiting too long).
  Result<Node> upload(const UploadRequest& request);

  Result<Node> root(int64_t owner_id);
  Result<Node> stat(int64_t owner_id, int64_t node_id);
  Result<Node> create_folder(int64_t owner_id, int64_t parent_id, std::string_view name);
  Result<std::vector<Node>> list(int64_t owner_id, int64_t folder_id, const ListOptions& options);
  // Resolves "/a/b" from the user's root. "/" is the root.
  Result<Node> resolve_path(int64_t owner_id, std::string_view path);
  Result<Node> move(int64_t owner_id, int64_t node_id, std::optional<int64_t> new_parent_id,
                    std::optional<std::string_view> new_name);
  Result<Node> copy(int64_t owner_id, int64_t node_id, std::optional<int64_t> new_parent_id,
                    std::optional<std::string_view> new_name);
  // Moves a node and its subtree to the trash; `api_token_id` (0: a session) is recorded so a
  // mass deletion by one client can be undone.
  Status remove(int64_t owner_id, int64_t node_id, int64_t api_token_id);
  // One version of a file, for a signed download URL (Catalog::get_file_version).
  Result<Node> stat_version(int64_t file_id, int64_t version_id);

  // Opens bytes [offset, offset + length) of the version `file` names (file.version_id).
  // REQUIRES: the range lies within file.size.
  Result<std::unique_ptr<ByteSource>> open_content(const Node& file, uint64_t offset,
                                                   uint64_t length);

  uint64_t uploads_in_flight() const;

  // TEMPORARY (until the job queue of branch `media` enqueues a `text` job in the commit
  // transaction): called after every successful upload commit, on the uploading thread.
  void set_after_commit(std::function<void(const Node&)> hook) { after_commit_ = std::move(hook); }

 private:
  meta::Catalog& catalog_;
  store::ChunkStore& chunks_;
  store::InflightChunks& inflight_;
  store::GcLeases& leases_;
  store::Chunker chunker_;
  std::atomic<uint64_t> uploads_in_flight_{0};
  std::function<void(const Node&)> after_commit_;  // TEMPORARY: see set_after_commit
};

}  // namespace coffer::service
