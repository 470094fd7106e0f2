#include "service/upload_sessions.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "auth/opaque_token.h"
#include "core/name_rules.h"
#include "service/upload_policy.h"
#include "store/chunk_id.h"
#include "store/object_writer.h"

namespace coffer::service {
namespace {

constexpr size_t kReadBufferBytes = 1024 * 1024;

bool expired(const meta::UploadRecord& record) { return record.expires <= now_micros(); }

}  // namespace

UploadSessions::UploadSessions(meta::Catalog& catalog, FileService& files,
                               store::ChunkStore& chunks, store::InflightChunks& inflight,
                               store::GcLeases& leases, UploadOptions options,
                               store::ChunkerParams chunker_params)
    : catalog_(catalog),
      files_(files),
      chunks_(chunks),
      inflight_(inflight),
      leases_(leases),
      options_(options),
      chunker_(chunker_params) {}

Micros UploadSessions::next_expiry(Micros created) const {
  const Micros idle = options_.expiry_seconds * 1'000'000;
  return std::min(now_micros() + idle, created + options_.lifetime_expiries * idle);
}

uint64_t UploadSessions::size_limit() const {
  return std::min(options_.max_size, options_.max_file_size.value_or(options_.max_size));
}

Status UploadSessions::too_large(uint64_t size) const {
  // The same answer as a plain upload over the policy's limit (413 FILE_TOO_LARGE).
  if (options_.max_file_size && *options_.max_file_size < options_.max_size) {
    return file_too_large(size, *options_.max_file_size, "any type");
  }
  return Status(Errc::kPayloadTooLarge, "the upload (" + std::to_string(size) +
                                            " bytes) exceeds Tus-Max-Size (" +
                                            std::to_string(options_.max_size) + ")");
}

Result<std::optional<uint64_t>> UploadSessions::upload_room(int64_t owner_id) {
  using Room = std::optional<uint64_t>;
  auto room = catalog_.quota_room(owner_id);
  COFFER_RETURN_IF_ERROR(room);
  if (!*room) return Room();
  // Bytes of uploads in progress are stored already: they take room before their commit.
  auto held = catalog_.uploads().bytes_in_progress(owner_id, now_micros());
  COFFER_RETURN_IF_ERROR(held);
  return Room(**room > *held ? **room - *held : 0);
}

Result<meta::UploadRecord> UploadSessions::create(const NewUpload& request) {
  auto name = normalize_name(request.name);
  COFFER_RETURN_IF_ERROR(name);
  auto parent = catalog_.get_node(request.owner_id, request.parent_id);
  COFFER_RETURN_IF_ERROR(parent);
  if (parent->kind != NodeKind::kFolder) return Status(Errc::kConflict, "the parent is a file");
  if (request.length && *request.length > size_limit()) return too_large(*request.length);
  // Refused now rather than after the client sent every byte; appends and the commit check
  // again.
  if (request.length) {
    auto room = upload_room(request.owner_id);
    COFFER_RETURN_IF_ERROR(room);
    if (*room && *request.length > **room) {
      return Status(Errc::kQuotaExceeded, "the upload (" + std::to_string(*request.length) +
                                              " bytes) does not fit in the storage quota");
    }
  }
  meta::UploadRecord record;
  record.id = auth::new_opaque_token("");
  record.owner_id = request.owner_id;
  record.parent_id = request.parent_id;
  record.name = std::move(*name);
  record.length = request.length;
  record.metadata = request.metadata;
  record.created = now_micros();
  record.expires = next_expiry(record.created);
  COFFER_RETURN_IF_ERROR(catalog_.uploads().create_upload(record));
  if (record.length && *record.length == 0) return finish(std::move(record));
  return record;
}

Result<meta::UploadRecord> UploadSessions::get(int64_t owner_id, const std::string& id) {
  auto record = catalog_.uploads().get_upload(owner_id, id);
  COFFER_RETURN_IF_ERROR(record);
  if (expired(*record)) return Status(Errc::kNotFound, "the upload has expired");
  return record;
}

Result<meta::UploadRecord> UploadSessions::append(const AppendRequest& request) {
  auto record = get(request.owner_id, request.id);
  COFFER_RETURN_IF_ERROR(record);
  if (request.offset != record->offset) {
    return Status(Errc::kOffsetMismatch, "Upload-Offset is " + std::to_string(request.offset) +
                                             ", the upload is at " +
                                             std::to_string(record->offset));
  }
  if (request.length) {
    if (record->length && *record->length != *request.length) {
      return Status(Errc::kInvalidArgument, "Upload-Length cannot change");
    }
    if (*request.length < record->offset) {
      return Status(Errc::kInvalidArgument, "Upload-Length is out of range");
    }
    if (*request.length > size_limit()) return too_large(*request.length);
  }
  if (record->file_id != 0) return record;  // complete: nothing more to take
  const std::optional<uint64_t> length = record->length ? record->length : request.length;
  if (length && request.content_length && record->offset + *request.content_length > *length) {
    return Status(Errc::kInvalidArgument, "the body goes past Upload-Length");
  }
  auto received = receive(request, std::move(*record));
  COFFER_RETURN_IF_ERROR(received);
  if (!received->length || received->offset < *received->length) return received;
  // The lease and pins of receive() are released: the chunks are recorded now, and
  // FileService::upload takes a lease of its own.
  return finish(std::move(*received));
}

Result<meta::UploadRecord> UploadSessions::receive(const AppendRequest& request,
                                                   meta::UploadRecord record) {
  const std::optional<uint64_t> length = record.length ? record.length : request.length;
  // Past a declared length is a protocol error; past the size limit (a deferred length), 413.
  const uint64_t limit = length ? *length : size_limit();
  const uint64_t start = record.offset;
  const uint64_t room = limit > start ? limit - start : 0;
  auto past_end = [&](uint64_t bytes) -> Status {
    if (length) return Status(Errc::kInvalidArgument, "the body goes past Upload-Length");
    return too_large(start + bytes);
  };
  // The quota: refused like a plain upload that does not fit, before the body is read when
  // its length says so, else as soon as it passes the room left. The store checks again as it
  // records each segment, against concurrent appends.
  auto quota = upload_room(record.owner_id);
  COFFER_RETURN_IF_ERROR(quota);
  auto over_quota = [&](uint64_t bytes) {
    return Status(Errc::kQuotaExceeded, "the upload (" + std::to_string(bytes) +
                                            " more bytes) does not fit in the storage quota; " +
                                            std::to_string(**quota) + " bytes left");
  };
  if (request.content_length) {
    if (*request.content_length > room) return past_end(*request.content_length);
    if (*quota && *request.content_length > **quota) return over_quota(*request.content_length);
  }
  auto store_room = [&]() -> Result<std::optional<meta::UploadRoom>> {
    using Room = std::optional<meta::UploadRoom>;
    auto quota_room = catalog_.quota_room(record.owner_id);  // again: commits go on meanwhile
    COFFER_RETURN_IF_ERROR(quota_room);
    if (!*quota_room) return Room();
    return Room(meta::UploadRoom{**quota_room, now_micros()});
  };
  // With a checksum, nothing is recorded until the whole body has been verified.
  const bool all_or_nothing = request.expected_sha256.has_value();

  auto lease = leases_.begin_upload();
  COFFER_RETURN_IF_ERROR(lease);
  auto writer = std::make_unique<store::ObjectWriter>(chunks_, chunker_, inflight_);
  uint64_t segment = 0;  // bytes in `writer`, not recorded yet
  uint64_t taken = 0;    // bytes of this body accepted so far

  // Makes the bytes in `writer` durable and moves the offset past them.
  auto record_segment = [&]() -> Status {
    auto manifest = writer->finish();
    COFFER_RETURN_IF_ERROR(manifest);
    COFFER_RETURN_IF_ERROR((*lease)->keep_alive());
    if (manifest->size > 0 || (request.length && !record.length)) {
      auto recorded_room = store_room();
      COFFER_RETURN_IF_ERROR(recorded_room);
      auto updated = catalog_.uploads().append_upload(
          record.owner_id, record.id, record.offset, manifest->size,
          version_chunks_of(*manifest, record.offset), request.length, next_expiry(record.created),
          *recorded_room);
      COFFER_RETURN_IF_ERROR(updated);
      record = std::move(*updated);
    }
    // Recorded: the upload's chunk list protects them now, so the pins may go.
    writer = std::make_unique<store::ObjectWriter>(chunks_, chunker_, inflight_);
    segment = 0;
    return Status::ok();
  };

  std::vector<std::byte> buffer(kReadBufferBytes);
  for (;;) {
    auto n = request.body->read(buffer);
    if (!n.is_ok()) {
      // Keep what arrived before the body broke off, so the client resumes after it.
      if (!all_or_nothing && segment > 0) (void)record_segment();
      return n.status();
    }
    if (*n == 0) break;
    if (taken + *n > room) return past_end(taken + *n);
    if (*quota && taken + *n > **quota) return over_quota(taken + *n);
    COFFER_RETURN_IF_ERROR(writer->write(std::span(buffer.data(), *n)));
    COFFER_RETURN_IF_ERROR((*lease)->keep_alive());
    taken += *n;
    segment += *n;
    if (!all_or_nothing && segment >= options_.segment_bytes) {
      COFFER_RETURN_IF_ERROR(record_segment());
    }
  }
  if (all_or_nothing) {
    auto manifest = writer->finish();
    COFFER_RETURN_IF_ERROR(manifest);
    if (store::ChunkId{manifest->sha256}.hex() != *request.expected_sha256) {
      return Status(Errc::kChecksumMismatch, "the body does not match Upload-Checksum");
    }
    COFFER_RETURN_IF_ERROR((*lease)->keep_alive());
    auto recorded_room = store_room();
    COFFER_RETURN_IF_ERROR(recorded_room);
    auto updated = catalog_.uploads().append_upload(
        record.owner_id, record.id, record.offset, manifest->size,
        version_chunks_of(*manifest, record.offset), request.length, next_expiry(record.created),
        *recorded_room);
    COFFER_RETURN_IF_ERROR(updated);
    return std::move(*updated);
  }
  COFFER_RETURN_IF_ERROR(record_segment());
  return record;
}

Result<meta::UploadRecord> UploadSessions::finish(meta::UploadRecord record) {
  auto chunks = catalog_.uploads().upload_chunks(record.id);
  COFFER_RETURN_IF_ERROR(chunks);
  auto body = files_.open_chunks(*chunks, 0, record.offset);
  COFFER_RETURN_IF_ERROR(body);
  // The same path as any upload: chunking and deduplication (the chunks are there already, so
  // this mostly reads), the name rules, the quota in the commit, a new version on overwrite.
  UploadRequest upload;
  upload.owner_id = record.owner_id;
  upload.parent_id = record.parent_id;
  upload.name = record.name;
  upload.body = body->get();
  upload.expected_size = record.offset;
  auto node = files_.upload(upload);
  COFFER_RETURN_IF_ERROR(node);
  COFFER_RETURN_IF_ERROR(catalog_.uploads().complete_upload(record.owner_id, record.id, node->id));
  record.file_id = node->id;
  return record;
}

Status UploadSessions::terminate(int64_t owner_id, const std::string& id) {
  auto record = get(owner_id, id);
  COFFER_RETURN_IF_ERROR(record);
  return catalog_.uploads().delete_upload(owner_id, id);
}

Result<int64_t> UploadSessions::remove_expired() {
  return catalog_.uploads().delete_expired_uploads(now_micros());
}

}  // namespace coffer::service
