#include <gtest/gtest.h>

#include "core/search.h"

namespace coffer {
namespace {

std::vector<std::vector<std::string>> words_of(const SearchQuery& q) {
  std::vector<std::vector<std::string>> out;
  for (const auto& t : q.terms) out.push_back(t.words);
  return out;
}

TEST(SearchQuery, WordsPhrasesAndPrefixes) {
  auto q = parse_search_query("tax  \"annual report\" rep* 2024");
  ASSERT_TRUE(q.is_ok());
  using W = std::vector<std::vector<std::string>>;
  EXPECT_EQ(words_of(*q), (W{{"tax"}, {"annual", "report"}, {"rep"}, {"2024"}}));
  EXPECT_FALSE(q->terms[0].prefix);
  EXPECT_TRUE(q->terms[2].prefix);
}

TEST(SearchQuery, PunctuationOnlySeparates) {
  auto q = parse_search_query("NEAR(a, b) AND c:d -e \"f");
  ASSERT_TRUE(q.is_ok());
  using W = std::vector<std::vector<std::string>>;
  // Operators are words like any other; an unclosed quote runs to the end.
  EXPECT_EQ(words_of(*q), (W{{"NEAR"}, {"a"}, {"b"}, {"AND"}, {"c"}, {"d"}, {"e"}, {"f"}}));
  auto utf8 = parse_search_query("caf\xC3\xA9!");
  ASSERT_TRUE(utf8.is_ok());
  EXPECT_EQ(utf8->terms[0].words[0], "caf\xC3\xA9");
}

TEST(SearchQuery, NothingToSearchForIsInvalid) {
  for (const char* text : {"", "   ", "\"\"", "*", "(-)", "\"*\""}) {
    auto q = parse_search_query(text);
    ASSERT_FALSE(q.is_ok()) << text;
    EXPECT_EQ(q.status().code(), Errc::kInvalidArgument);
  }
  EXPECT_FALSE(parse_search_query(std::string(1025, 'a')).is_ok());
  std::string many;
  for (int i = 0; i < 33; ++i) many += "w ";
  EXPECT_EQ(parse_search_query(many).status().code(), Errc::kInvalidArgument);
}

TEST(SnippetHtml, EscapesTextAndMarksHighlights) {
  const std::string raw =
      std::string("<b>a & \"b\"</b> ") + kHighlightOpen + "it's" + kHighlightClose + " \x03";
  EXPECT_EQ(snippet_html(raw), "&lt;b&gt;a &amp; &quot;b&quot;&lt;/b&gt; <mark>it&#39;s</mark> ");
}

}  // namespace
}  // namespace coffer
