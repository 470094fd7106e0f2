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

// A term matches what is below a folder whose name it matches: the name alone (FTS5 column
// filter; PostgreSQL weight A), a whole word unless the term is a prefix.
TEST(SearchDocs, FolderNameQueriesMatchTheNameAlone) {
  EXPECT_EQ(fts5_folder_name(SearchTerm{{"NEAR"}, false}), "{name} : \"NEAR\"");
  EXPECT_EQ(fts5_folder_name(SearchTerm{{"annual", "rep"}, true}), "{name} : \"annual rep\" *");
  EXPECT_EQ(tsquery_folder_name(SearchTerm{{"NEAR"}, false}), "('NEAR':A)");
  EXPECT_EQ(tsquery_folder_name(SearchTerm{{"annual", "rep"}, true}), "('annual':A <-> 'rep':*A)");
}

// Ranking reads any term (a hit may match the others through its folders).
TEST(SearchDocs, AnyTermQueriesJoinTheTermsByOr) {
  SearchQuery q;
  q.terms.push_back(SearchTerm{{"NEAR"}, false});
  q.terms.push_back(SearchTerm{{"annual", "rep"}, true});
  EXPECT_EQ(fts5_any(q), "(\"NEAR\" OR {name} : \"NEAR\" *) OR \"annual rep\" *");
  EXPECT_EQ(tsquery_any(q), "('NEAR' | 'NEAR':*A) | ('annual' <-> 'rep':*)");
}

}  // namespace
}  // namespace coffer::meta
