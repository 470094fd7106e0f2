#pragma once
// The full-text index as the domain sees it (docs/architecture.md, "Search"). One
// implementation (SqlSearchIndex) serves both engines: SQLite FTS5 and PostgreSQL tsvector.
//
// Names, folder paths, tags and metadata are indexed by the catalog in the transaction that
// changes them, so they can never disagree with the tree; trashed nodes stay indexed and are
// filtered out by every search until they are restored or purged. Extracted content arrives
// later, from a background job, through set_content.

#include <cstdint>
#include <string>
#include <vector>

#include "core/search.h"
#include "core/status.h"

namespace coffer::meta {

class SearchIndex {
 public:
  virtual ~SearchIndex() = default;

  // Stores `text` as the content of file `node_id` of `owner_id`, extracted from
  // `version_id`. Returns false, storing nothing, when that is no longer the file's current
  // version (a newer upload won: its own extraction follows) or the file is gone.
  virtual Result<bool> set_content(int64_t owner_id, int64_t node_id, int64_t version_id,
                                   const std::string& text) = 0;

  // The live nodes of request.owner_id that match every term and filter, best first, the
  // page request.offset .. + request.limit.
  virtual Result<std::vector<SearchHit>> search(const SearchRequest& request) = 0;
};

}  // namespace coffer::meta
