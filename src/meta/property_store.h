#pragma once
// Dead properties (RFC 4918 §4): what WebDAV clients attach to a resource with PROPPATCH and
// read back with PROPFIND. The server stores them and never interprets them. They live in the
// metadata database beside the node (docs/schema.md, table dead_properties), so they follow a
// node through renames and moves, go to the trash with it and come back on restore.
//
// Ownership is part of every operation, as in the Catalog: another user's node is kNotFound.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace coffer::meta {

struct DeadProperty {
  std::string ns;    // namespace URI ("" for none)
  std::string name;  // local name
  // The whole property element as self-contained XML (its namespace declarations included),
  // written back verbatim into PROPFIND answers.
  std::string xml;
};

// What one node may hold: WebDAV clients set a handful (Windows its file times, macOS a few
// more); the bounds keep a client from storing data outside its files (issue 17, finding 5).
inline constexpr int64_t kMaxDeadPropertiesPerNode = 100;
inline constexpr int64_t kMaxDeadPropertyBytesPerNode = 256 * 1024;

// One PROPPATCH instruction: set (xml non-empty) or remove (xml empty).
struct PropertyChange {
  std::string ns;
  std::string name;
  std::string xml;
};

class PropertyStore {
 public:
  virtual ~PropertyStore() = default;

  // The properties of a live node, ordered by namespace and name. Errors: kNotFound.
  virtual Result<std::vector<DeadProperty>> list(int64_t owner_id, int64_t node_id) = 0;
  // The properties of the live nodes `node_ids` of `owner_id`, by node id (nodes without any,
  // deleted nodes and other users' nodes are absent): one query per page of a PROPFIND
  // Depth 1 answer, however many of the nodes have properties.
  virtual Result<std::map<int64_t, std::vector<DeadProperty>>> list_nodes(
      int64_t owner_id, const std::vector<int64_t>& node_ids) = 0;
  // Applies every change in order in one transaction: all or nothing (RFC 4918 §9.2).
  // Errors: kNotFound; kQuotaExceeded when the node would hold more than the bounds above, or
  // the owner more than their quota (property bytes count towards it, meta::Catalog).
  virtual Status patch(int64_t owner_id, int64_t node_id,
                       const std::vector<PropertyChange>& changes) = 0;
  // Gives `to_node` exactly the properties of `from_node` (COPY). Errors: kNotFound;
  // kQuotaExceeded (nothing copied).
  virtual Status copy(int64_t owner_id, int64_t from_node, int64_t to_node) = 0;
};

}  // namespace coffer::meta
