#pragma once
// Resumable uploads (the tus protocol's domain, docs/uploads.md): an upload is created with
// its target folder, name and length, receives its bytes in any number of appends, possibly
// on different nodes, and becomes a file through FileService::upload once every byte is in.
//
// The bytes of each append go through the storage engine (ObjectWriter) into the chunk store,
// and the upload's offset moves in the metadata database only after they are durable, so the
// offset a client is told never covers a byte that a crash could lose. Until the upload
// completes, its chunks are recorded in meta::UploadStore, which garbage collection counts as
// references; while an append runs, a GC lease and the writer's pins protect the chunks not
// recorded yet. Free of HTTP and SQL.

#include <cstdint>
#include <optional>
#include <string>

#include "core/byte_source.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "service/file_service.h"
#include "store/chunk_store.h"
#include "store/chunker.h"
#include "store/gc_leases.h"
#include "store/inflight_chunks.h"

namespace coffer::service {

struct UploadOptions {
  // An incomplete upload is deleted this long after its creation or its last append.
  int64_t expiry_seconds = 24 * 3600;
  // The largest upload accepted (Tus-Max-Size).
  uint64_t max_size = uint64_t{1} << 40;
  // An append without a checksum records its progress every this many bytes, so a long
  // request that breaks off keeps what it received.
  uint64_t segment_bytes = 64 * 1024 * 1024;
};

struct NewUpload {
  int64_t owner_id = 0;
  int64_t parent_id = 0;
  std::string name;  // as the client sent it; normalised here
  // nullopt: declared later (Upload-Defer-Length), at the latest with the last append.
  std::optional<uint64_t> length;
  std::string metadata;  // the raw Upload-Metadata header, echoed back
};

struct AppendRequest {
  int64_t owner_id = 0;
  std::string id;
  uint64_t offset = 0;  // where the client believes the upload is (Upload-Offset)
  ByteSource* body = nullptr;
  std::optional<uint64_t> content_length;
  // When set (Upload-Checksum), the body must hash to this SHA-256 (lower-case hex) or
  // nothing of it is appended.
  std::optional<std::string> expected_sha256;
  // A length declared now for an upload created with a deferred length.
  std::optional<uint64_t> length;
};

class UploadSessions {
 public:
  // All references must outlive the object.
  UploadSessions(meta::Catalog& catalog, FileService& files, store::ChunkStore& chunks,
                 store::InflightChunks& inflight, store::GcLeases& leases,
                 UploadOptions options = {}, store::ChunkerParams chunker_params = {});
  UploadSessions(const UploadSessions&) = delete;
  UploadSessions& operator=(const UploadSessions&) = delete;

  // Creates an upload after checking what can be checked now: the name, the target folder,
  // the size limit and the quota. An upload of length 0 is complete at once. Errors: those
  // of normalize_name, kNotFound (folder), kConflict (the parent is a file),
  // kPayloadTooLarge, kQuotaExceeded, and for length 0 those of FileService::upload.
  Result<meta::UploadRecord> create(const NewUpload& request);

  // The upload as it stands. Errors: kNotFound (none, another user's, or expired).
  Result<meta::UploadRecord> get(int64_t owner_id, const std::string& id);

  // Appends the body at `offset`. Without a checksum, bytes received before the body breaks
  // off are kept (up to the last durable chunk boundary) and the body's error is returned;
  // with one, all or nothing. When the last byte is in, commits the file (record.file_id).
  // Errors: kNotFound, kOffsetMismatch, kInvalidArgument (past the length, length changed or
  // missing at the end), kChecksumMismatch, the body's errors, kIoError, kUnavailable, and
  // at completion those of FileService::upload (kQuotaExceeded, kNameConflict, ...): the
  // upload then stays complete-but-uncommitted, and an empty append at its end retries.
  Result<meta::UploadRecord> append(const AppendRequest& request);

  // Deletes an upload (tus termination); its chunks go to the next garbage collection.
  // Errors: kNotFound.
  Status terminate(int64_t owner_id, const std::string& id);

  // Deletes expired uploads (the periodic maintenance); returns how many.
  Result<int64_t> remove_expired();

  const UploadOptions& options() const { return options_; }

 private:
  // Streams the body into the chunk store, recording durable progress as it goes.
  Result<meta::UploadRecord> receive(const AppendRequest& request, meta::UploadRecord record);
  // Commits a fully received upload as a file through FileService::upload.
  Result<meta::UploadRecord> finish(meta::UploadRecord record);
  Micros next_expiry() const;

  meta::Catalog& catalog_;
  FileService& files_;
  store::ChunkStore& chunks_;
  store::InflightChunks& inflight_;
  store::GcLeases& leases_;
  const UploadOptions options_;
  store::Chunker chunker_;
};

}  // namespace coffer::service
