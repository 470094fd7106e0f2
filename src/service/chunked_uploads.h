#pragma once
// Sync clients' chunked uploads (Nextcloud's chunking "NG" and v2; docs/clients.md): a client
// makes an upload collection with a name of its choosing, puts numbered parts into it — in
// any order, again after a failure, resuming after listing what arrived — and finally asks
// for the parts to be assembled into a file.
//
// Each part goes through the storage engine into the chunk store as it arrives and is
// recorded (meta::ChunkedUploadStore) only once durable and whole, so a part is either all
// there or not at all. Assembly hands the parts, in order, to FileService::upload as one body
// (chunking and deduplication find the chunks already stored), so the file is committed by
// the same path as any upload: name rules, quota, upload policy, a new version on overwrite.
// The parts count against the owner's quota while they wait. Free of HTTP and SQL.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_source.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "service/file_service.h"
#include "store/chunk_store.h"
#include "store/chunker.h"
#include "store/gc_leases.h"
#include "store/inflight_chunks.h"

namespace coffer::service {

struct ChunkedUploadOptions {
  // An upload is deleted this long after its creation or its last part...
  int64_t idle_seconds = 24 * 3600;
  // ...and at the latest this long after its creation, however busy.
  int64_t lifetime_seconds = 7 * 24 * 3600;
  // Nextcloud's chunking v2 numbers parts 1 to 10,000.
  uint64_t max_parts = 10000;
  // The largest file an upload may assemble (the tus Tus-Max-Size).
  uint64_t max_size = uint64_t{1} << 40;
};

// The parts of an upload, in order, as one body.
struct AssembledUpload {
  std::unique_ptr<ByteSource> body;
  uint64_t size = 0;
};

class ChunkedUploads {
 public:
  // All references must outlive the object.
  ChunkedUploads(meta::Catalog& catalog, FileService& files, store::ChunkStore& chunks,
                 store::InflightChunks& inflight, store::GcLeases& leases,
                 ChunkedUploadOptions options = {}, store::ChunkerParams chunker_params = {});
  ChunkedUploads(const ChunkedUploads&) = delete;
  ChunkedUploads& operator=(const ChunkedUploads&) = delete;

  // True for names an upload or a part may have: 1 to 128 of [A-Za-z0-9._~-], not starting
  // with '.' (".file" names the assembled file).
  static bool valid_name(std::string_view name);

  // `target` says what the file will be where the protocol tells at the start (S3).
  // Errors: kInvalidArgument (the name), kAlreadyExists, kPayloadTooLarge (total_length
  // beyond max_size), kQuotaExceeded (total_length beyond the owner's room).
  Status begin(int64_t owner_id, std::string_view transfer, std::optional<uint64_t> total_length,
               std::string target = {});
  // Errors: kNotFound (none, another user's, or expired).
  Result<meta::ChunkedUpload> get(int64_t owner_id, std::string_view transfer);
  Result<std::vector<meta::ChunkedUpload>> list(int64_t owner_id);
  // The parts, by name (no chunks). Errors: kNotFound.
  Result<std::vector<meta::ChunkedUploadPart>> parts(int64_t owner_id, std::string_view transfer);

  // Stores `body` as part `name`, replacing a part of that name; all or nothing. `md5`, when
  // given, is called once the body has ended for the part's MD5 to record. Errors:
  // kNotFound, kInvalidArgument (the name, too many parts, the body's length differs from
  // `content_length`), kPayloadTooLarge (the parts would exceed the announced total length or
  // max_size), kQuotaExceeded, the body's errors, kIoError, kUnavailable.
  Result<meta::ChunkedUploadPart> put_part(int64_t owner_id, std::string_view transfer,
                                           std::string_view name, ByteSource& body,
                                           std::optional<uint64_t> content_length,
                                           const std::function<std::string()>& md5 = {});
  // Errors: kNotFound.
  Status remove_part(int64_t owner_id, std::string_view transfer, std::string_view name);
  // Deletes the upload (the client gave up, or its file is committed). Errors: kNotFound.
  Status remove(int64_t owner_id, std::string_view transfer);

  // The parts in order — by number when every name is a number (v2's "1".."10000" and NG's
  // zero-padded offsets alike), else by name — as one body for FileService::upload. Errors:
  // kNotFound, kInvalidArgument (no parts; a size that differs from `expected_size` or from
  // the length announced at creation).
  Result<AssembledUpload> assemble(int64_t owner_id, std::string_view transfer,
                                   std::optional<uint64_t> expected_size);

  // Deletes expired uploads (the periodic maintenance); returns how many.
  Result<int64_t> remove_expired();

 private:
  Micros expiry(const meta::ChunkedUpload& upload) const;

  meta::Catalog& catalog_;
  FileService& files_;
  store::ChunkStore& chunks_;
  store::InflightChunks& inflight_;
  store::GcLeases& leases_;
  const ChunkedUploadOptions options_;
  store::Chunker chunker_;
};

}  // namespace coffer::service
