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

// Which of a document's fields a query may match: all of them, or all but the folder path
// (for nodes in shares, whose paths name the owner's folders above the share).
enum class SearchFields { kAll, kWithoutPath };

// The query in FTS5 syntax: every word inside double quotes (so no operator, column filter or
// NEAR group can come from the user), a phrase per term, `*` after a prefix term; a term
// without `*` also matches names by the beginning of their words (photo: photo1.jpg); a
// column filter around it all for kWithoutPath.
std::string fts5_query(const SearchQuery& query, SearchFields fields = SearchFields::kAll);
// The query in PostgreSQL's tsquery syntax: quoted lexemes, `<->` within a phrase, `:*` on a
// prefix, `&` between terms, names (weight A) matched by the beginning of words as above;
// for kWithoutPath every lexeme is limited to the weights of the
// other fields (the path is weight B).
std::string tsquery_text(const SearchQuery& query, SearchFields fields = SearchFields::kAll);

}  // namespace coffer::meta
