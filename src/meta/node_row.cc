#include "meta/node_row.h"

namespace coffer::meta {
namespace {

// The node columns by name, in their order in the SELECT list. The SQL of each (column_sql)
// and the reader (node_from_row) both go by these names.
enum NodeColumn : size_t {
  kId,
  kOwnerId,
  kParentId,
  kName,
  kKind,
  kCreated,
  kModified,
  kVersionId,
  kSize,
  kSha256,
  kMime,
  kDeclaredMime,
  kTreeChanged,
  kMd5,
  kObjectHeaders,
  kSha1,
  kColumnCount,
};
static_assert(kColumnCount == kNodeColumnCount);

std::string_view column_sql(NodeColumn column, NodeVersion version) {
  const bool current = version == NodeVersion::kCurrent;
  switch (column) {
    case kId:
      return "n.id";
    case kOwnerId:
      return "n.owner_id";
    case kParentId:
      return "n.parent_id";
    case kName:
      return "n.name";
    case kKind:
      return "n.kind";
    case kCreated:
      return "n.created_at";
    case kModified:
      return current ? "n.modified_at" : "v.created_at";
    case kVersionId:
      return current ? "n.current_version_id" : "v.id";
    case kSize:
      return current ? "n.size" : "v.size";
    case kSha256:
      return "v.sha256";
    case kMime:
      return "v.mime";
    case kDeclaredMime:
      return "v.declared_mime";
    case kTreeChanged:
      return "n.tree_changed";
    case kMd5:
      return "v.md5";
    case kObjectHeaders:
      return "v.object_headers";
    case kSha1:
      return "v.sha1";
    case kColumnCount:
      break;
  }
  return "NULL";
}

std::string column_list(NodeVersion version) {
  std::string out;
  for (size_t c = 0; c < kColumnCount; ++c) {
    if (c > 0) out += ", ";
    out += column_sql(static_cast<NodeColumn>(c), version);
  }
  return out;
}

}  // namespace

std::string_view node_columns(NodeVersion version) {
  static const std::string current = column_list(NodeVersion::kCurrent);
  static const std::string joined = column_list(NodeVersion::kJoined);
  return version == NodeVersion::kCurrent ? current : joined;
}

std::string node_sql(std::string_view rest) {
  std::string sql = "SELECT ";
  sql += node_columns();
  sql += kNodeFrom;
  sql += rest;
  return sql;
}

std::string_view kind_text(NodeKind kind) { return kind == NodeKind::kFile ? "file" : "folder"; }

Node node_from_row(const Row& row, size_t first_column) {
  auto at = [first_column](NodeColumn column) { return first_column + column; };
  Node node;
  node.id = row.int64(at(kId));
  node.owner_id = row.int64(at(kOwnerId));
  node.parent_id = row.opt_int64(at(kParentId)).value_or(0);
  node.name = row.text(at(kName));
  node.kind = row.text(at(kKind)) == "file" ? NodeKind::kFile : NodeKind::kFolder;
  node.created = row.int64(at(kCreated));
  node.modified = row.int64(at(kModified));
  node.version_id = row.opt_int64(at(kVersionId)).value_or(0);
  node.size = static_cast<uint64_t>(row.int64(at(kSize)));
  node.sha256 = row.text(at(kSha256));
  node.mime = row.text(at(kMime));
  node.declared_mime = row.text(at(kDeclaredMime));
  node.tree_changed = row.int64(at(kTreeChanged));
  node.md5 = row.text(at(kMd5));
  node.object_headers = row.text(at(kObjectHeaders));
  node.sha1 = row.text(at(kSha1));
  return node;
}

std::vector<Node> nodes_from_rows(const std::vector<Row>& rows) {
  std::vector<Node> nodes;
  nodes.reserve(rows.size());
  for (const Row& row : rows) nodes.push_back(node_from_row(row));
  return nodes;
}

}  // namespace coffer::meta
