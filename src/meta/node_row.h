#pragma once
// How a nodes row (joined with a version) maps to Node: the one column list that every query
// returning nodes selects, and the one function that reads it. A query selects node_columns()
// (or node_sql() for the plain case) and puts columns of its own after them, which it reads
// at node_extra_column(i); it never spells the node columns itself, so their positions cannot
// drift between the query and the decoder.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "meta/database.h"

namespace coffer::meta {

// Which version `v` is, for the columns that describe a file's content. The node is `n`.
enum class NodeVersion {
  // `v` is the current version (LEFT JOIN: folders have none). The modified time and size are
  // the node's own; nodes.size mirrors the current version's size so that listings can sort
  // by it through an index.
  kCurrent,
  // `v` is any version of the file: the node as that version shows it (modified = the
  // version's creation time, version id and size the version's).
  kJoined,
};

inline constexpr size_t kNodeColumnCount = 16;
inline constexpr std::string_view kNodeFrom =
    " FROM nodes n LEFT JOIN versions v ON v.id = n.current_version_id ";

// "n.id, n.owner_id, ...": the kNodeColumnCount columns node_from_row reads.
std::string_view node_columns(NodeVersion version = NodeVersion::kCurrent);
// "SELECT <node columns> FROM nodes n LEFT JOIN versions v ... " + rest.
std::string node_sql(std::string_view rest);
// The position of the i-th (from 0) column a query selected after the node columns, which
// start at `first_column`.
constexpr size_t node_extra_column(size_t i, size_t first_column = 0) {
  return first_column + kNodeColumnCount + i;
}

std::string_view kind_text(NodeKind kind);
// REQUIRES: the row holds node_columns() from `first_column` on.
Node node_from_row(const Row& row, size_t first_column = 0);
std::vector<Node> nodes_from_rows(const std::vector<Row>& rows);

}  // namespace coffer::meta
