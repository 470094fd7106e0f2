#pragma once
// Keeps search_docs (the rows the search index reads: docs/schema.md) in step with the tree,
// inside the caller's write transaction. Used by SqlCatalog only.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "meta/database.h"

namespace coffer::meta {

// (Re)indexes the name of `node_id`: after it is created, renamed or restored. Tags, metadata
// and content are kept. Root folders are not indexed. Only the node's own row: no path is
// indexed (sql_search_index.h), so nothing below it changes.
Status index_node(Connection& conn, int64_t node_id);

// Replaces the indexed tags and metadata values of `node_id`.
Status index_attributes(Connection& conn, int64_t node_id, const std::vector<std::string>& tags,
                        std::string_view metadata_json);

// Gives the copy `to_node` (current version `to_version`) the extracted content of `from_node`.
Status copy_indexed_content(Connection& conn, int64_t from_node, int64_t to_node,
                            int64_t to_version);

// The values of a JSON object's members (strings, numbers, booleans, at any depth), separated
// by spaces; the member names are left out. REQUIRES: valid JSON (the API validated it).
std::string metadata_values(std::string_view json);

}  // namespace coffer::meta
