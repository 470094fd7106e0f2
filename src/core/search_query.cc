#include <cstdint>

#include "core/search.h"

namespace coffer {
namespace {

bool is_word_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

// Appends the words of `text` to `term`; returns whether the last byte ended a word that a `*`
// follows directly (a prefix).
void split_words(std::string_view text, SearchTerm& term) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) term.words.emplace_back(text.substr(start, i - start));
  }
}

}  // namespace

Result<SearchQuery> parse_search_query(std::string_view text) {
  if (text.size() > kMaxSearchQueryBytes) {
    return Status(Errc::kInvalidArgument,
                  "the query is longer than " + std::to_string(kMaxSearchQueryBytes) + " bytes");
  }
  SearchQuery query;
  size_t i = 0;
  while (i < text.size()) {
    SearchTerm term;
    if (text[i] == '"') {
      size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) close = text.size();
      split_words(text.substr(i + 1, close - i - 1), term);
      i = close + 1;
    } else {
      // A bare word: up to the next byte that is not part of one. A `*` directly after it
      // makes it a prefix; any other punctuation only separates.
      size_t start = i;
      while (i < text.size() && is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
      if (i == start) {
        ++i;
        continue;
      }
      term.words.emplace_back(text.substr(start, i - start));
      if (i < text.size() && text[i] == '*') {
        term.prefix = true;
        ++i;
      }
    }
    if (!term.words.empty()) query.terms.push_back(std::move(term));
  }
  if (query.terms.empty()) {
    return Status(Errc::kInvalidArgument, "the query has no word to search for");
  }
  if (query.terms.size() > kMaxSearchTerms) {
    return Status(Errc::kInvalidArgument,
                  "the query has more than " + std::to_string(kMaxSearchTerms) + " terms");
  }
  return query;
}

std::string snippet_html(std::string_view snippet) {
  std::string out;
  out.reserve(snippet.size() + 32);
  for (char c : snippet) {
    switch (c) {
      case kHighlightOpen:
        out += "<mark>";
        break;
      case kHighlightClose:
        out += "</mark>";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') out += c;
        break;
    }
  }
  return out;
}

}  // namespace coffer
