#pragma once
// SearchIndex over search_docs (search_index.h, docs/schema.md). The filters, the ownership
// check, the folders and the paging are the same SQL on both engines; only the match, the
// score and the snippet differ: FTS5's MATCH, bm25() and snippet() on SQLite, a tsquery with
// ts_rank_cd() and ts_headline() on PostgreSQL. Thread-safe: every call is one transaction.
//
// A document holds the node's own name, tags, metadata and content, never its path (finding 6
// of the security review: a path per row made nested folders cost depth² and a rename of a
// top folder rewrite every row below it). A term also matches every node below a folder whose
// name it matches, which the query finds through the tree (nodes.parent_id) instead; the
// path shown with a hit is read from the tree for the page of hits only.

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

// The query languages. No user input reaches them but the words of parsed terms, each inside
// double quotes (FTS5) or single quotes (tsquery), so no operator, column filter or NEAR
// group can come from the user.
//
// One term matched by a node's own fields: a phrase, `*` (`:*`) after a prefix term; a term
// without `*` also matches names by the beginning of their words (photo: photo1.jpg).
std::string fts5_term(const SearchTerm& term);
std::string tsquery_term(const SearchTerm& term);
// One term matched by a name alone (FTS5 column filter; PostgreSQL weight A), a word exactly
// or, for a prefix term, by its beginning: the folders whose contents the term matches.
std::string fts5_folder_name(const SearchTerm& term);
std::string tsquery_folder_name(const SearchTerm& term);
// Every term of the query (AND), or any of them (OR: for ranking hits that match some terms by
// their folders).
std::string fts5_query(const SearchQuery& query);
std::string tsquery_text(const SearchQuery& query);
std::string fts5_any(const SearchQuery& query);
std::string tsquery_any(const SearchQuery& query);

}  // namespace coffer::meta
