#include "meta/node_row.h"

namespace coffer::meta {

Node node_from_row(const Row& row) {
  Node node;
  node.id = row.int64(0);
  node.owner_id = row.int64(1);
  node.parent_id = row.opt_int64(2).value_or(0);
  node.name = row.text(3);
  node.kind = row.text(4) == "file" ? NodeKind::kFile : NodeKind::kFolder;
  node.created = row.int64(5);
  node.modified = row.int64(6);
  node.version_id = row.opt_int64(7).value_or(0);
  node.size = static_cast<uint64_t>(row.int64(8));
  node.sha256 = row.text(9);
  node.mime = row.text(10);
  return node;
}

}  // namespace coffer::meta
