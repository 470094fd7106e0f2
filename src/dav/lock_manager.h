#pragma once
// WebDAV write locks (RFC 4918 §6, §7): exclusive and shared, depth 0 and infinity, with
// timeouts. Locks belong to the path namespace of one tree's owner ("/a/b", decoded, no
// trailing slash; "/" is the owner's root), not to nodes, so a lock can be taken on an
// unmapped URL and a MOVE leaves the source's locks behind. The WebDAV layer maps paths
// reached through a share (/dav/Shared/…) to the owner's paths, so the owner's and the
// recipients' locks on one resource are the same locks.
//
// Locks are kept in the memory of this process: they are short-lived by design (timeouts)
// and a restart releases them, as a client that lost its connection would expect. Several
// nodes behind a load balancer need sticky sessions for /dav/ (docs/webdav.md).
//
// Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"

namespace coffer::dav {

struct Lock {
  std::string token;  // "opaquelocktoken:<uuid>"
  std::string root;   // the path the lock was taken on
  bool exclusive = true;
  bool infinite = false;  // depth infinity: covers everything below root too
  std::string owner_xml;  // the client's DAV:owner element, returned as given
  int64_t timeout_seconds = 0;
  Micros expires = 0;

  bool covers(std::string_view path) const;
};

class LockManager {
 public:
  static constexpr int64_t kDefaultTimeoutSeconds = 3600;
  // Bounds that keep locks from filling memory (issue 17, finding 4), far above what clients
  // use: Office and Finder ask for an hour or "Infinite" and refresh while a file is open,
  // owners are a name or a URL, and a user edits a handful of files at once.
  static constexpr int64_t kMaxTimeoutSeconds = 86400;
  static constexpr size_t kMaxOwnerBytes = 4096;
  static constexpr size_t kMaxLocksPerTree = 1000;

  // Takes a new lock on `path`. Errors: kConflict (a lock that conflicts covers the path, or,
  // for depth infinity, lies below it), kInvalidArgument (an owner beyond kMaxOwnerBytes),
  // kTooManyRequests (kMaxLocksPerTree live locks in `user_id`'s tree already).
  Result<Lock> lock(int64_t user_id, const std::string& path, bool exclusive, bool infinite,
                    std::string owner_xml, int64_t timeout_seconds, Micros now);
  // Extends the lock `token`, which must cover `path`. Errors: kPreconditionFailed.
  Result<Lock> refresh(int64_t user_id, std::string_view path, std::string_view token,
                       int64_t timeout_seconds, Micros now);
  // Releases the lock `token`, which must cover `path`. Errors: kConflict (no such lock
  // there).
  Status unlock(int64_t user_id, std::string_view path, std::string_view token, Micros now);

  // The live locks covering `path` (on it, or depth infinity on an ancestor).
  std::vector<Lock> covering(int64_t user_id, std::string_view path, Micros now);
  // The live locks covering `path` or anything below it.
  std::vector<Lock> affecting(int64_t user_id, std::string_view path, Micros now);

  // Whether a write to `path` (and, with `subtree`, to everything below it) is allowed to a
  // client presenting `tokens`: every lock involved must be one of them (for shared locks on
  // the same resource, one of them suffices). Errors: kConflict ("locked: <root>"), naming a lock
  // whose token is missing.
  Status check_write(int64_t user_id, std::string_view path, bool subtree,
                     const std::vector<std::string>& tokens, Micros now);

  // Forgets the locks on `path` and below it (after DELETE, or on the source of a MOVE).
  void release_subtree(int64_t user_id, std::string_view path);

 private:
  void expire(Micros now);  // REQUIRES: mu_ held

  std::mutex mu_;
  std::map<std::string, std::pair<int64_t, Lock>> by_token_;  // token -> (user, lock)
};

// Parses a Timeout header ("Second-600", "Infinite", a list of them): the first value we can
// honour, capped to kMaxTimeoutSeconds; the default when absent or unparsable.
int64_t parse_timeout(std::string_view header);

// True when `path` is `root` or lies below it.
bool path_within(std::string_view path, std::string_view root);

}  // namespace coffer::dav
