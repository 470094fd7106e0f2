#pragma once
// Full-text search as the domain sees it: a parsed query, the filters and page of a search
// request, and its hits. No I/O; the index behind it is meta::SearchIndex.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"

namespace coffer {

// One term of a query: a phrase of one or more words that must appear in this order. A word is
// a run of letters and digits (any byte of a UTF-8 sequence counts as a letter); `prefix`
// makes the last word match any word it begins.
struct SearchTerm {
  std::vector<std::string> words;
  bool prefix = false;
};

// Every term must match (AND). Built only by parse_search_query, so that no user input ever
// reaches an index's query language except as the words above.
struct SearchQuery {
  std::vector<SearchTerm> terms;
};

inline constexpr size_t kMaxSearchQueryBytes = 1024;
inline constexpr size_t kMaxSearchTerms = 32;

// Parses the user's syntax: words, "quoted phrases" and prefix* (a `*` right after a word).
// Everything else that is not a letter or digit separates words; an unclosed quote runs to the
// end. Errors: kInvalidArgument (no word at all, over kMaxSearchQueryBytes or kMaxSearchTerms).
Result<SearchQuery> parse_search_query(std::string_view text);

struct SearchRequest {
  int64_t owner_id = 0;  // the caller: their own live nodes are searched
  // Nodes of other users shared with the caller: these and everything below them are searched
  // too, but by name, tags, metadata and content only. Their folder paths would otherwise
  // match (and show) the names of the owner's folders above the share.
  std::vector<int64_t> shared_roots;
  SearchQuery query;
  // Filters, all optional.
  std::optional<NodeKind> kind;
  std::string mime;  // exact ("application/pdf") or a prefix ending in '/' ("image/")
  std::optional<std::string> tag;
  // Archived nodes are left out unless `status` asks for them (as in listings).
  std::optional<DocStatus> status;
  std::optional<Micros> modified_after;   // inclusive
  std::optional<Micros> modified_before;  // exclusive
  std::optional<uint64_t> size_min;       // inclusive
  std::optional<uint64_t> size_max;       // inclusive
  // The page: hits [offset, offset + limit) in rank order.
  uint32_t offset = 0;
  uint32_t limit = 20;
};

struct SearchHit {
  Node node;
  // The folder the node is in, "" for the root. In a share: the folder as the recipient sees
  // it, from the shared node down ("" for the shared node itself, "/Photos/2024" below it).
  std::string path;
  int64_t share_root_id = 0;  // 0: the caller's own node; else the share it was found in
  std::string shared_by;      // in a share: the owner's username
  DocStatus status = DocStatus::kActive;
  // A short excerpt of the best-matching field with the matched words between
  // kHighlightOpen and kHighlightClose; no other control characters.
  std::string snippet;
  double score = 0;  // higher is better
};

inline constexpr char kHighlightOpen = '\x01';
inline constexpr char kHighlightClose = '\x02';

// The snippet as HTML: the text escaped, the highlighted words in <mark>…</mark>.
std::string snippet_html(std::string_view snippet);

}  // namespace coffer
