#include "meta/node_row.h"

namespace coffer::meta {

std::string node_sql(std::string_view rest) {
  std::string sql = "SELECT ";
  sql += kNodeColumns;
  sql += kNodeFrom;
  sql += rest;
  return sql;
}

std::string_view kind_text(NodeKind kind) { return kind == NodeKind::kFile ? "file" : "folder"; }

Node node_from_row(const Row& row, size_t first_column) {
  const size_t c = first_column;
  Node node;
  node.id = row.int64(c);
  node.owner_id = row.int64(c + 1);
  node.parent_id = row.opt_int64(c + 2).value_or(0);
  node.name = row.text(c + 3);
  node.kind = row.text(c + 4) == "file" ? NodeKind::kFile : NodeKind::kFolder;
  node.created = row.int64(c + 5);
  node.modified = row.int64(c + 6);
  node.version_id = row.opt_int64(c + 7).value_or(0);
  node.size = static_cast<uint64_t>(row.int64(c + 8));
  node.sha256 = row.text(c + 9);
  node.mime = row.text(c + 10);
  return node;
}

std::vector<Node> nodes_from_rows(const std::vector<Row>& rows) {
  std::vector<Node> nodes;
  nodes.reserve(rows.size());
  for (const Row& row : rows) nodes.push_back(node_from_row(row));
  return nodes;
}

}  // namespace coffer::meta
