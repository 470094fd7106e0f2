#pragma once
// How a node row maps to Node, shared by the SQL code that reads nodes (the catalog, search).

#include "core/model.h"
#include "meta/database.h"

namespace coffer::meta {

// Reads the first eleven columns of `row`, in this order: n.id, n.owner_id, n.parent_id,
// n.name, n.kind, n.created_at, n.modified_at, n.current_version_id, n.size, v.sha256, v.mime
// (v: the current version, LEFT JOINed; NULL for folders).
Node node_from_row(const Row& row);

}  // namespace coffer::meta
