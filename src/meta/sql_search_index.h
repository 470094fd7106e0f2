#pragma once
// SearchIndex over search_docs (search_index.h, docs/schema.md). The filters, the ownership
// check and the paging are the same SQL on both engines; only the match, the score and the
// snippet differ: FTS5's MATCH, bm25() and snippet() on SQLite, a tsquery with ts_rank_cd()
// and ts_headline() on PostgreSQL. Thread-safe: every call is one transaction.

#include "meta/database.h"
#include "meta/search_index.h"

namespace coffer::meta {

class SqlSearchIndex final : public SearchIndex {
 public:
  explicit SqlSearchIndex(Database& db) : db_(db) {}

  Result<bool> set_content(int64_t owner_id, int64_t node_id, int64_t version_id,
                           const std::string& text) override;
  Result<std::vector<SearchHit>> search(const SearchRequest& request) override;

 private:
  Database& db_;
};

// The query in FTS5 syntax: every word inside double quotes (so no operator, column filter or
// NEAR group can come from the user), a phrase per term, `*` after a prefix term.
std::string fts5_query(const SearchQuery& query);
// The query in PostgreSQL's tsquery syntax: quoted lexemes, `<->` within a phrase, `:*` on a
// prefix, `&` between terms.
std::string tsquery_text(const SearchQuery& query);

}  // namespace coffer::meta
