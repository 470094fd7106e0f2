#pragma once
// The one place that decides who may do what to a node. Every file, folder, version and
// attribute operation asks it first, and then acts on the catalog as the tree's owner:
//   - the owner may do anything;
//   - a user reached by a share (directly or through a group) of the node or of a folder
//     above it may read, and with a write share also change, what lies below the share;
//     the shared node itself stays the owner's to move, rename or delete;
//   - anybody else learns nothing: kNotFound, exactly as for a node that does not exist.
// Shares are read on every call, so a revoked share stops access at once.

#include <cstdint>

#include "core/sharing.h"
#include "core/status.h"
#include "meta/catalog.h"

namespace coffer::service {

class AccessPolicy {
 public:
  explicit AccessPolicy(meta::Catalog& catalog) : catalog_(catalog) {}

  // What `actor` may do on `node_id`, if at least `need`. Errors: kNotFound (no access at all
  // or no such live node), kForbidden (a read-only share and `need` is write). With `node`,
  // also the node itself, which the check reads anyway when the actor owns it (one
  // transaction fewer on every request for one's own files).
  Result<Access> check(int64_t actor, int64_t node_id, Permission need, Node* node = nullptr) const;

  // As check(), and also refuses (kForbidden) when the node is the shared node itself and the
  // actor is not its owner: renaming, moving or deleting it is the owner's decision.
  Result<Access> check_below_share(int64_t actor, int64_t node_id, Node* node = nullptr) const;

 private:
  meta::Catalog& catalog_;
};

}  // namespace coffer::service
