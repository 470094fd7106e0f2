#pragma once
// How a nodes row (joined with its current version) maps to Node, shared by the SQL stores
// that read nodes.

#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "meta/database.h"

namespace coffer::meta {

// Files take size, sha256, mime and version id from their current version; nodes.size
// mirrors the current version's size so that listings can sort by it through an index.
inline constexpr std::string_view kNodeColumns =
    "n.id, n.owner_id, n.parent_id, n.name, n.kind, n.created_at, n.modified_at, "
    "n.current_version_id, n.size, v.sha256, v.mime";
inline constexpr size_t kNodeColumnCount = 11;
inline constexpr std::string_view kNodeFrom =
    " FROM nodes n LEFT JOIN versions v ON v.id = n.current_version_id ";

// "SELECT <node columns> FROM nodes n LEFT JOIN versions v ... " + rest.
std::string node_sql(std::string_view rest);
std::string_view kind_text(NodeKind kind);
Node node_from_row(const Row& row, size_t first_column = 0);
std::vector<Node> nodes_from_rows(const std::vector<Row>& rows);

}  // namespace coffer::meta
