#pragma once
// The metadata of resumable (tus) uploads in progress: who uploads what where, how many bytes
// are durable so far, and the chunks that hold them (docs/schema.md, migration 6). Progress
// lives in the database, not on the node that received it, so any node can continue an
// upload. The recorded chunks count as referenced for garbage collection
// (Catalog::for_each_referenced_chunk) until the upload completes, is terminated or expires.
//
// Every operation is one transaction. Uploads belong to their owner: another user's upload is
// kNotFound, like another user's node.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"

namespace coffer::meta {

struct UploadRecord {
  std::string id;  // random, unguessable; names the upload in its URL
  int64_t owner_id = 0;
  int64_t parent_id = 0;
  std::string name;  // normalised file name
  // The declared total length; nullopt while deferred (Upload-Defer-Length).
  std::optional<uint64_t> length;
  uint64_t offset = 0;   // bytes received and durable
  std::string metadata;  // the Upload-Metadata header as the client sent it, echoed on HEAD
  Micros created = 0;
  Micros expires = 0;
  int64_t file_id = 0;  // the committed file once complete; 0 before
};

// How much of its owner's storage quota an append may take (Catalog::quota_room, which counts
// committed files only): the bytes already received by the owner's incomplete uploads that
// have not expired at `now`, this append's included, must stay within `bytes`.
struct UploadRoom {
  uint64_t bytes = 0;
  Micros now = 0;
};

class UploadStore {
 public:
  virtual ~UploadStore() = default;

  // Errors: kAlreadyExists (the id is taken).
  virtual Status create_upload(const UploadRecord& record) = 0;
  // Errors: kNotFound (no such upload of this owner).
  virtual Result<UploadRecord> get_upload(int64_t owner_id, const std::string& id) = 0;
  // Records that bytes [expected_offset, expected_offset + bytes) are durable in `chunks`
  // (offsets relative to the start of the upload), sets the length when it was deferred and
  // `length` is given, and moves the expiry to `expires`, if the upload is still at
  // `expected_offset` and, when `room` is given, the owner's uploads in progress stay within
  // it (checked in the same transaction, so concurrent appends cannot both take the last of
  // the room). Errors: kNotFound, kOffsetMismatch (another request moved the offset),
  // kInvalidArgument (past the declared length, or a length that contradicts the declared
  // one), kQuotaExceeded (past `room`).
  virtual Result<UploadRecord> append_upload(int64_t owner_id, const std::string& id,
                                             uint64_t expected_offset, uint64_t bytes,
                                             const std::vector<VersionChunk>& chunks,
                                             std::optional<uint64_t> length, Micros expires,
                                             std::optional<UploadRoom> room) = 0;
  // The bytes received so far by the owner's incomplete uploads (committed ones and those
  // expired at `now` excluded): what their uploads in progress hold of their quota.
  virtual Result<uint64_t> bytes_in_progress(int64_t owner_id, Micros now) = 0;
  // The recorded chunks, ordered by offset.
  virtual Result<std::vector<VersionChunk>> upload_chunks(const std::string& id) = 0;
  // Marks the upload complete as `file_id` and forgets its chunks (the file's version
  // references what it needs). Errors: kNotFound.
  virtual Status complete_upload(int64_t owner_id, const std::string& id, int64_t file_id) = 0;
  // Deletes the upload and its chunk records. Errors: kNotFound.
  virtual Status delete_upload(int64_t owner_id, const std::string& id) = 0;
  // Deletes every upload whose expiry is before `now`; returns how many.
  virtual Result<int64_t> delete_expired_uploads(Micros now) = 0;
};

}  // namespace coffer::meta
