#include <gtest/gtest.h>

#include "meta/search_docs.h"
#include "meta/sql_search_index.h"

namespace coffer::meta {
namespace {

TEST(SearchDocs, MetadataValuesLeaveOutMemberNames) {
  EXPECT_EQ(metadata_values(R"({"client": "ACME Corp", "n": 3, "ok": true, "none": null,
                               "nested": {"city": "Oslo", "list": ["a", -1.5e3]}})"),
            "ACME Corp 3 true Oslo a -1.5e3");
  EXPECT_EQ(metadata_values(R"({"q": "say \"hi\"\\ \u00e9\u0001x"})"), "say \"hi\"\\ \xC3\xA9 x");
  EXPECT_EQ(metadata_values("{}"), "");
}

TEST(SearchDocs, QueriesQuoteEveryWord) {
  SearchQuery q;
  q.terms.push_back(SearchTerm{{"NEAR"}, false});
  q.terms.push_back(SearchTerm{{"annual", "rep"}, true});
  EXPECT_EQ(fts5_query(q), "(\"NEAR\" OR {name} : \"NEAR\" *) AND \"annual rep\" *");
  EXPECT_EQ(tsquery_text(q), "('NEAR' | 'NEAR':*A) & ('annual' <-> 'rep':*)");
}

// For nodes in shares: every field but the folder path (FTS5 column filter; PostgreSQL
// weights A, C and D, the path being B).
TEST(SearchDocs, QueriesWithoutThePathLeaveItsColumnOut) {
  SearchQuery q;
  q.terms.push_back(SearchTerm{{"NEAR"}, false});
  q.terms.push_back(SearchTerm{{"annual", "rep"}, true});
  EXPECT_EQ(fts5_query(q, SearchFields::kWithoutPath),
            "{name tags meta content} : ((\"NEAR\" OR {name} : \"NEAR\" *) AND "
            "\"annual rep\" *)");
  EXPECT_EQ(tsquery_text(q, SearchFields::kWithoutPath),
            "('NEAR':ACD | 'NEAR':*A) & ('annual':ACD <-> 'rep':*ACD)");
}

}  // namespace
}  // namespace coffer::meta
