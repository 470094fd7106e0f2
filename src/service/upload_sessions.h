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
  // An incomplete upload is deleted this long after its creation or its last append, but
  // never later than `lifetime_expiries` times this after its creation: appends keep an
  // active upload from idling out, yet a byte now and then cannot keep one (and the storage
  // it holds) forever.
  int64_t expiry_seconds = 24 * 3600;
  int64_t lifetime_expiries = 7;
  // The largest upload accepted (--upload-max-size).
  uint64_t max_size = uint64_t{1} << 40;
  // The upload policy's limit for files of any type (UploadPolicy::overall_limit), enforced
  // as bytes arrive (deferred lengths included) rather than only at the commit.
  std::optional<uint64_t> max_file_size;
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
  // the size limit and the quota, whose room the bytes of the owner's other uploads in
  // progress take too. An upload of length 0 is complete at once. Errors: those of
  // normalize_name, kNotFound (folder), kConflict (the parent is a file), kPayloadTooLarge
  // (over max_size), kFileTooLarge (over max_file_size), kQuotaExceeded, and for length 0
  // those of FileService::upload.
  Result<meta::UploadRecord> create(const NewUpload& request);

  // The upload as it stands. Errors: kNotFound (none, another user's, or expired).
  Result<meta::UploadRecord> get(int64_t owner_id, const std::string& id);

  // Appends the body at `offset`. Without a checksum, bytes received before the body breaks
  // off are kept (up to the last durable chunk boundary) and the body's error is returned;
  // with one, all or nothing. When the last byte is in, commits the file (record.file_id).
  // A body that would take the owner's uploads in progress past their quota room, or the
  // upload past size_limit(), is refused (before it is read when its length says so); what
  // earlier segments of it recorded stays.
  // Errors: kNotFound, kOffsetMismatch, kInvalidArgument (past the length, length changed or
  // missing at the end), kQuotaExceeded, kPayloadTooLarge and kFileTooLarge (past
  // size_limit(), as in create), kChecksumMismatch, the body's errors, kIoError, kUnavailable, and
  // at completion those of FileService::upload (kQuotaExceeded, kNameConflict, ...): the
  // upload then stays complete-but-uncommitted, and an empty append at its end retries.
  Result<meta::UploadRecord> append(const AppendRequest& request);

  // Deletes an upload (tus termination); its chunks go to the next garbage collection.
  // Errors: kNotFound.
  Status terminate(int64_t owner_id, const std::string& id);

  // Deletes expired uploads (the periodic maintenance); returns how many.
  Result<int64_t> remove_expired();

  const UploadOptions& options() const { return options_; }
  // The largest upload accepted (Tus-Max-Size): max_size, or max_file_size when smaller.
  uint64_t size_limit() const;

 private:
  // Streams the body into the chunk store, recording durable progress as it goes.
  Result<meta::UploadRecord> receive(const AppendRequest& request, meta::UploadRecord record);
  // Commits a fully received upload as a file through FileService::upload.
  Result<meta::UploadRecord> finish(meta::UploadRecord record);
  // The expiry after an append now to an upload created at `created`.
  Micros next_expiry(Micros created) const;
  // What the owner may still add in uploads: their quota room less what their uploads in
  // progress hold; nullopt without a quota.
  Result<std::optional<uint64_t>> upload_room(int64_t owner_id);
  // The error for an upload of `size` bytes past size_limit().
  Status too_large(uint64_t size) const;

  meta::Catalog& catalog_;
  FileService& files_;
  store::ChunkStore& chunks_;
  store::InflightChunks& inflight_;
  store::GcLeases& leases_;
  const UploadOptions options_;
  store::Chunker chunker_;
};

}  // namespace coffer::service
