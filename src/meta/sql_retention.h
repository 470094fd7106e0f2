#pragma once
// The checks that enforce retention rules and legal holds (core/retention.h), run by the
// Catalog inside the transaction of the change they guard, so no concurrent change can slip
// between the check and the write.

#include <cstdint>
#include <string>

#include "core/model.h"
#include "core/status.h"
#include "meta/database.h"

namespace coffer::meta {

// What a change touches: the node alone (overwrite, a version), or the node and everything
// below it (delete, purge, move, rename).
enum class LockScope { kNode, kSubtree };

// Fails with kLegalHold when `node_id`, a folder above it or (kSubtree) a node below it is
// held, with kRetentionActive when one of them is under a retention rule active at `now`.
// Trashed nodes count: the trash is still inside the folder it came from.
Status refuse_locked(Connection& conn, int64_t node_id, LockScope scope, Micros now);

// Whether `s` is refuse_locked()'s refusal (bulk purges skip those nodes and go on).
inline bool is_lock_refusal(const Status& s) {
  return s.code() == Errc::kLegalHold || s.code() == Errc::kRetentionActive;
}

// A WITH RECURSIVE clause naming `locked(id)`: every node held or under a retention rule active
// at the first parameter (?), and everything below them. For bulk purges that skip them.
std::string locked_nodes_cte();

}  // namespace coffer::meta
