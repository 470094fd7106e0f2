#pragma once
// The metadata of sync clients' chunked uploads in progress (Nextcloud's chunking "NG" and
// v2, docs/clients.md): an upload collection the client named, the parts it has put into it
// (each a run of chunks in the chunk store), and when it expires (docs/schema.md, migration
// 14). The recorded chunks count as referenced for garbage collection
// (Catalog::for_each_referenced_chunk) until the upload is assembled, deleted or expires.
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

struct ChunkedUpload {
  int64_t owner_id = 0;
  std::string transfer;  // the client's name for it: the collection's last path segment
  // The file's length as the client announced it (OC-Total-Length), when it did.
  std::optional<uint64_t> total_length;
  Micros created = 0;
  Micros expires = 0;
  // What the assembled file will be, where the protocol says so at the start (an S3 multipart
  // upload's bucket, key and headers, as JSON); empty for sync clients.
  std::string target;
};

struct ChunkedUploadPart {
  std::string name;  // as the client named it ("0000000000000000", "1", ...)
  uint64_t size = 0;
  Micros modified = 0;
  std::vector<VersionChunk> chunks;  // offsets from the part's start; filled where asked
  std::string md5;  // of the part's bytes (lower-case hex) where recorded: an S3 part's ETag
};

class ChunkedUploadStore {
 public:
  virtual ~ChunkedUploadStore() = default;

  // Errors: kAlreadyExists (the owner has an upload of that name).
  virtual Status create(const ChunkedUpload& upload) = 0;
  // Errors: kNotFound.
  virtual Result<ChunkedUpload> get(int64_t owner_id, const std::string& transfer) = 0;
  // The parts, by name, with their chunks when `with_chunks`. Errors: kNotFound.
  virtual Result<std::vector<ChunkedUploadPart>> parts(int64_t owner_id,
                                                       const std::string& transfer,
                                                       bool with_chunks) = 0;
  // Records `part` (replacing a part of the same name) and moves the expiry to `expires`.
  // Errors: kNotFound (the upload is gone), kInvalidArgument (the upload already has
  // `max_parts` other parts).
  virtual Status put_part(int64_t owner_id, const std::string& transfer,
                          const ChunkedUploadPart& part, Micros expires, uint64_t max_parts) = 0;
  // Errors: kNotFound (no such upload or part).
  virtual Status delete_part(int64_t owner_id, const std::string& transfer,
                             const std::string& name) = 0;
  // Deletes the upload and its parts; their chunks go to the next garbage collection.
  // Errors: kNotFound.
  virtual Status remove(int64_t owner_id, const std::string& transfer) = 0;
  // The owner's uploads, by name.
  virtual Result<std::vector<ChunkedUpload>> list(int64_t owner_id) = 0;
  // The bytes of every part of the owner's uploads: what they hold of the chunk store before
  // any of it is a file, counted against their quota.
  virtual Result<uint64_t> bytes_held(int64_t owner_id) = 0;
  // Deletes uploads that expired before `now`; returns how many.
  virtual Result<int64_t> remove_expired(Micros now) = 0;
};

}  // namespace coffer::meta
