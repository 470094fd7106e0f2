#include "meta/sql_search_index.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "meta/node_row.h"

namespace coffer::meta {
namespace {

// What differs per engine: the query languages and four statements' parts, each with the
// query text as its one parameter. `from` and `match` find the documents `d` that match (the
// nodes joined as `n`), `score` ranks them (higher is better); `scored` selects (id, score) of
// every matching document, `ids` their ids alone; `snippets` gives (id, snippet) of matching
// documents among ids listed after it, the matched words between kHighlightOpen and
// kHighlightClose.
struct EngineSql {
  std::string (*term)(const SearchTerm&);
  std::string (*folder_name)(const SearchTerm&);
  std::string (*all)(const SearchQuery&);
  std::string (*any)(const SearchQuery&);
  std::string_view from;
  std::string_view match;
  std::string_view score;
  std::string_view scored;
  std::string_view ids;
  std::string_view snippets;
};

// Column weights, in the order of search_fts's columns: name, tags, meta, content.
constexpr EngineSql kSqlite{
    fts5_term,
    fts5_folder_name,
    fts5_query,
    fts5_any,
    "search_fts JOIN nodes n ON n.id = search_fts.rowid",
    "search_fts MATCH ?",
    "-bm25(search_fts, 10.0, 6.0, 2.0, 1.0)",
    "SELECT rowid AS id, -bm25(search_fts, 10.0, 6.0, 2.0, 1.0) AS score FROM search_fts "
    "WHERE search_fts MATCH ?",
    "SELECT rowid AS id FROM search_fts WHERE search_fts MATCH ?",
    "SELECT rowid, snippet(search_fts, -1, char(1), char(2), '…', 16) FROM search_fts "
    "WHERE search_fts MATCH ? AND rowid IN "};

// ts_headline reads the text given to it: the name, tags and the start of the content, with
// the characters that join tokens made blanks as in the index (database.cc).
constexpr EngineSql kPostgres{
    tsquery_term,
    tsquery_folder_name,
    tsquery_text,
    tsquery_any,
    "search_docs d CROSS JOIN to_tsquery('simple', ?) q JOIN nodes n ON n.id = d.node_id",
    "d.document @@ q",
    "ts_rank_cd(d.document, q)",
    "SELECT d.node_id AS id, ts_rank_cd(d.document, q) AS score FROM search_docs d "
    "CROSS JOIN to_tsquery('simple', ?) q WHERE d.document @@ q",
    "SELECT node_id AS id FROM search_docs WHERE document @@ to_tsquery('simple', ?)",
    "SELECT d.node_id, ts_headline('simple', translate(d.name || ' ' || d.tags || ' ' || "
    "left(d.content, 65536), '-./@_:+~\\<>&', '            '), q, "
    "'StartSel=\"\x01\", StopSel=\"\x02\", MaxWords=24, MinWords=8, MaxFragments=1, "
    "FragmentDelimiter=\" … \"') FROM search_docs d CROSS JOIN to_tsquery('simple', ?) q "
    "WHERE d.document @@ q AND d.node_id IN "};

// The filters of the request, the same for the caller's own nodes and for shared ones.
void append_filters(const SearchRequest& request, std::string& sql, Params& params) {
  if (request.kind) {
    sql += " AND n.kind = ?";
    params.emplace_back(*request.kind == NodeKind::kFile ? "file" : "folder");
  }
  if (!request.mime.empty()) {
    if (request.mime.back() == '/') {
      sql += " AND substr(v.mime, 1, CAST(? AS INTEGER)) = ?";
      params.emplace_back(request.mime.size());
      params.emplace_back(request.mime);
    } else {
      sql += " AND v.mime = ?";
      params.emplace_back(request.mime);
    }
  }
  if (request.status) {
    sql += " AND n.status = ?";
    params.emplace_back(doc_status_name(*request.status));
  } else {
    sql += " AND n.status <> 'archived'";
  }
  if (request.tag) {
    sql += " AND EXISTS (SELECT 1 FROM node_tags t WHERE t.node_id = n.id AND t.tag = ?)";
    params.emplace_back(*request.tag);
  }
  if (request.modified_after) {
    sql += " AND n.modified_at >= ?";
    params.emplace_back(*request.modified_after);
  }
  if (request.modified_before) {
    sql += " AND n.modified_at < ?";
    params.emplace_back(*request.modified_before);
  }
  if (request.size_min) {
    sql += " AND n.size >= ?";
    params.emplace_back(static_cast<int64_t>(*request.size_min));
  }
  if (request.size_max) {
    sql += " AND n.size <= ?";
    params.emplace_back(static_cast<int64_t>(*request.size_max));
  }
}

// "?, ?, ?" for `ids`, appended to `params`.
std::string placeholders(const std::vector<int64_t>& ids, Params& params) {
  std::string out;
  for (int64_t id : ids) {
    out += out.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  return out;
}

// Whether each term of the query matches the name of one of the caller's live folders.
Result<std::vector<bool>> terms_naming_folders(Connection& conn, const EngineSql& engine,
                                               const SearchRequest& request) {
  std::vector<bool> out;
  for (const SearchTerm& term : request.query.terms) {
    auto row = conn.query_row("SELECT 1 FROM (" + std::string(engine.ids) +
                                  ") f JOIN nodes n ON n.id = f.id WHERE n.owner_id = ? AND "
                                  "n.kind = 'folder' AND n.deleted_at IS NULL LIMIT 1",
                              {engine.folder_name(term), request.owner_id});
    COFFER_RETURN_IF_ERROR(row);
    out.push_back(row->has_value());
  }
  return out;
}

// The statement of a run up to its filters (docs/architecture.md, "Search"): the page of the
// caller's own nodes (`shared_roots` empty) or of the shared nodes and everything below them
// (scope), best first.
//
// A term matches a node by its own fields; among the caller's own nodes it also matches every
// node below a live folder whose name it matches (`naming_folders`), found through the tree.
// Folder names do not match in shares: the folders above a share are the owner's business,
// and the folders inside it are found as nodes of their own. When no term names a folder, the
// index alone decides (one match of every term, scored as it goes); else the terms that do are
// matched as sets (the term's own matches and the folders' subtrees) and intersected, and the
// hits are scored by the terms they match by their own fields.
std::string run_sql(const EngineSql& engine, const SearchRequest& request,
                    const std::vector<int64_t>& shared_roots,
                    const std::vector<bool>& naming_folders, Params& params) {
  const std::string columns = "SELECT " + std::string(node_columns()) + ", n.status, ";
  const std::string versions = " LEFT JOIN versions v ON v.id = n.current_version_id";
  if (!shared_roots.empty()) {
    std::string sql =
        "WITH RECURSIVE scope(id) AS (SELECT id FROM nodes WHERE deleted_at IS NULL AND id IN (" +
        placeholders(shared_roots, params) +
        ") UNION SELECT c.id FROM nodes c JOIN scope s ON c.parent_id = s.id "
        "WHERE c.deleted_at IS NULL) " +
        columns + std::string(engine.score) + " AS score FROM " + std::string(engine.from) +
        versions + " WHERE " + std::string(engine.match) +
        " AND n.deleted_at IS NULL AND n.id IN (SELECT id FROM scope)";
    params.emplace_back(engine.all(request.query));
    return sql;
  }
  SearchQuery plain;  // the terms that name no folder
  for (size_t i = 0; i < request.query.terms.size(); ++i) {
    if (!naming_folders[i]) plain.terms.push_back(request.query.terms[i]);
  }
  if (plain.terms.size() == request.query.terms.size()) {
    params.emplace_back(engine.all(request.query));
    params.emplace_back(request.owner_id);
    return columns + std::string(engine.score) + " AS score FROM " + std::string(engine.from) +
           versions + " WHERE " + std::string(engine.match) +
           " AND n.deleted_at IS NULL AND n.owner_id = ?";
  }
  std::string sql = "WITH RECURSIVE ";
  std::string hits;
  for (size_t i = 0; i < request.query.terms.size(); ++i) {
    if (!naming_folders[i]) continue;
    const SearchTerm& term = request.query.terms[i];
    const std::string below = "below" + std::to_string(i);
    const std::string term_cte = "term" + std::to_string(i);
    sql += below + "(id) AS (SELECT n.id FROM (" + std::string(engine.ids) +
           ") f JOIN nodes n ON n.id = f.id WHERE n.owner_id = ? AND n.kind = 'folder' AND "
           "n.deleted_at IS NULL UNION SELECT c.id FROM nodes c JOIN " +
           below + " b ON c.parent_id = b.id WHERE c.deleted_at IS NULL), ";
    params.emplace_back(engine.folder_name(term));
    params.emplace_back(request.owner_id);
    sql +=
        term_cte + "(id) AS (" + std::string(engine.ids) + " UNION SELECT id FROM " + below + "), ";
    params.emplace_back(engine.term(term));
    hits += (hits.empty() ? "SELECT id FROM " : " INTERSECT SELECT id FROM ") + term_cte;
  }
  if (!plain.terms.empty()) {
    hits += " INTERSECT " + std::string(engine.ids);
    params.emplace_back(engine.all(plain));
  }
  sql += "hits(id) AS (" + hits + "), scored(id, score) AS MATERIALIZED (" +
         std::string(engine.scored) + ") " + columns +
         "COALESCE(s.score, 0) AS score FROM hits h JOIN nodes n ON n.id = h.id "
         "LEFT JOIN scored s ON s.id = n.id" +
         versions + " WHERE n.deleted_at IS NULL AND n.owner_id = ?";
  params.emplace_back(engine.any(request.query));
  params.emplace_back(request.owner_id);
  return sql;
}

// Fills in the snippets of `hits` that match some term by their own fields ("" for the others).
Status add_snippets(Connection& conn, const EngineSql& engine, const SearchQuery& query,
                    std::vector<SearchHit>& hits) {
  if (hits.empty()) return Status::ok();
  std::vector<int64_t> ids;
  for (const SearchHit& hit : hits) ids.push_back(hit.node.id);
  Params params{engine.any(query)};
  const std::string sql = std::string(engine.snippets) + "(" + placeholders(ids, params) + ")";
  std::unordered_map<int64_t, std::string> snippets;
  COFFER_RETURN_IF_ERROR(conn.query_each(sql, params, [&](const Row& row) {
    snippets[row.int64(0)] = row.text(1);
    return Status::ok();
  }));
  for (SearchHit& hit : hits) {
    auto it = snippets.find(hit.node.id);
    hit.snippet = it != snippets.end() ? std::move(it->second) : std::string();
  }
  return Status::ok();
}

// Fills in each hit's folder path as the caller sees it, from the tree: "" under the root,
// "/a/b" below; for a shared node, from the outermost shared node on its way up (a share
// inside another shared folder shows its hits with the outer share's path), which becomes the
// hit's share root. The owner's folders above a share never leave this function.
Status place(Connection& conn, int64_t caller_id, const std::vector<int64_t>& shared_roots,
             std::vector<SearchHit>& hits) {
  if (hits.empty()) return Status::ok();
  std::vector<int64_t> ids;
  for (const SearchHit& hit : hits) ids.push_back(hit.node.id);
  Params params;
  const std::string sql =
      "WITH RECURSIVE up(hit, id, parent_id, name, depth) AS ("
      "  SELECT id, id, parent_id, name, 0 FROM nodes WHERE id IN (" +
      placeholders(ids, params) +
      ")  UNION ALL"
      "  SELECT u.hit, n.id, n.parent_id, n.name, u.depth + 1 FROM nodes n JOIN up u "
      "ON n.id = u.parent_id) "
      "SELECT hit, id, name FROM up ORDER BY hit, depth DESC";
  // Each hit's way from its root folder down to itself.
  std::unordered_map<int64_t, std::vector<std::pair<int64_t, std::string>>> ways;
  COFFER_RETURN_IF_ERROR(conn.query_each(sql, params, [&](const Row& row) {
    ways[row.int64(0)].emplace_back(row.int64(1), row.text(2));
    return Status::ok();
  }));
  const std::unordered_set<int64_t> roots(shared_roots.begin(), shared_roots.end());
  for (SearchHit& hit : hits) {
    const auto& way = ways[hit.node.id];
    // The first folder shown: below the caller's root folder, or the outermost shared node.
    size_t first = 1;
    if (hit.node.owner_id != caller_id) {
      first = way.size();
      for (size_t i = 0; i < way.size(); ++i) {
        if (roots.contains(way[i].first)) {
          first = i;
          break;
        }
      }
      hit.share_root_id = first < way.size() ? way[first].first : 0;
    }
    hit.path.clear();
    for (size_t i = first; i + 1 < way.size(); ++i) hit.path += "/" + way[i].second;
  }
  return Status::ok();
}

}  // namespace

std::string fts5_term(const SearchTerm& term) {
  std::string phrase = "\"";
  for (size_t i = 0; i < term.words.size(); ++i) {
    if (i > 0) phrase += ' ';
    phrase += term.words[i];  // letters, digits and UTF-8 only: nothing to escape
  }
  phrase += '"';
  if (term.prefix) return phrase + " *";
  // A name is matched by the beginning of its words too: "photo" finds photo1.jpg.
  return "(" + phrase + " OR {name} : " + phrase + " *)";
}

std::string fts5_folder_name(const SearchTerm& term) {
  std::string out = "{name} : \"";
  for (size_t i = 0; i < term.words.size(); ++i) {
    if (i > 0) out += ' ';
    out += term.words[i];
  }
  return out + (term.prefix ? "\" *" : "\"");
}

namespace {

// The words of `term` in order, the last one a prefix when `prefix`, each limited to the
// weights `limit` (all weights when empty).
std::string tsquery_phrase(const SearchTerm& term, bool prefix, std::string_view limit) {
  std::string out;
  for (size_t i = 0; i < term.words.size(); ++i) {
    if (i > 0) out += " <-> ";
    out += '\'' + term.words[i] + '\'';  // no quote or backslash can occur in a word
    const bool last_prefix = prefix && i + 1 == term.words.size();
    if (last_prefix || !limit.empty()) out += ':';
    if (last_prefix) out += '*';
    out += limit;
  }
  return out;
}

template <typename Fn>
std::string joined(const SearchQuery& query, std::string_view separator, Fn&& each) {
  std::string out;
  for (const SearchTerm& term : query.terms) {
    if (!out.empty()) out += separator;
    out += each(term);
  }
  return out;
}

}  // namespace

// Weights: A the name, B tags, C metadata, D content (database.cc).
std::string tsquery_term(const SearchTerm& term) {
  // A name is matched by the beginning of its words too, as on SQLite.
  return '(' + tsquery_phrase(term, term.prefix, "") +
         (term.prefix ? "" : " | " + tsquery_phrase(term, true, "A")) + ')';
}

std::string tsquery_folder_name(const SearchTerm& term) {
  return '(' + tsquery_phrase(term, term.prefix, "A") + ')';
}

std::string fts5_query(const SearchQuery& query) { return joined(query, " AND ", fts5_term); }
std::string fts5_any(const SearchQuery& query) { return joined(query, " OR ", fts5_term); }
std::string tsquery_text(const SearchQuery& query) { return joined(query, " & ", tsquery_term); }
std::string tsquery_any(const SearchQuery& query) { return joined(query, " | ", tsquery_term); }

Result<bool> SqlSearchIndex::set_content(int64_t owner_id, int64_t node_id, int64_t version_id,
                                         const std::string& text) {
  return transact_value<bool>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<bool> {
    auto changed = conn.exec(
        "UPDATE search_docs SET content = ?, content_version_id = ? "
        "WHERE node_id = ? AND owner_id = ? AND EXISTS (SELECT 1 FROM nodes n "
        "WHERE n.id = ? AND n.current_version_id = ? AND n.deleted_at IS NULL)",
        {text, version_id, node_id, owner_id, node_id, version_id});
    COFFER_RETURN_IF_ERROR(changed);
    return *changed > 0;
  });
}

Result<std::vector<SearchHit>> SqlSearchIndex::search(const SearchRequest& request) {
  const EngineSql& engine = db_.dialect().kind() == Dialect::Kind::kSqlite ? kSqlite : kPostgres;
  // The best `limit` hits from `offset` among the caller's own nodes, or among the nodes of
  // `shared_roots`.
  auto run = [&](Connection& conn, const std::vector<int64_t>& shared_roots,
                 const std::vector<bool>& naming_folders, int64_t limit, int64_t offset,
                 std::vector<SearchHit>& hits) -> Status {
    Params params;
    std::string sql = run_sql(engine, request, shared_roots, naming_folders, params);
    append_filters(request, sql, params);
    sql += " ORDER BY score DESC, n.id LIMIT ? OFFSET ?";
    params.emplace_back(limit);
    params.emplace_back(offset);
    return conn.query_each(sql, params, [&](const Row& row) {
      SearchHit hit;
      hit.node = node_from_row(row);
      hit.status = parse_doc_status(row.text(node_extra_column(0))).value_or(DocStatus::kActive);
      hit.score = row.real(node_extra_column(1));
      hits.push_back(std::move(hit));
      return Status::ok();
    });
  };

  using Hits = std::vector<SearchHit>;
  return transact_value<Hits>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Hits> {
    auto naming_folders = terms_naming_folders(conn, engine, request);
    COFFER_RETURN_IF_ERROR(naming_folders);
    Hits hits;
    if (request.shared_roots.empty()) {
      COFFER_RETURN_IF_ERROR(run(conn, {}, *naming_folders, request.limit, request.offset, hits));
    } else {
      // Both queries return their best offset + limit; the page is cut from the merge. Their
      // scores are of the same kind (one index, one formula).
      const int64_t wanted = int64_t{request.offset} + request.limit;
      COFFER_RETURN_IF_ERROR(run(conn, {}, *naming_folders, wanted, 0, hits));
      COFFER_RETURN_IF_ERROR(run(conn, request.shared_roots, {}, wanted, 0, hits));
      std::ranges::stable_sort(hits, [](const SearchHit& a, const SearchHit& b) {
        return a.score != b.score ? a.score > b.score : a.node.id < b.node.id;
      });
      const size_t begin = std::min<size_t>(request.offset, hits.size());
      const size_t end = std::min<size_t>(begin + request.limit, hits.size());
      hits = Hits(std::make_move_iterator(hits.begin() + static_cast<std::ptrdiff_t>(begin)),
                  std::make_move_iterator(hits.begin() + static_cast<std::ptrdiff_t>(end)));
    }
    COFFER_RETURN_IF_ERROR(add_snippets(conn, engine, request.query, hits));
    COFFER_RETURN_IF_ERROR(place(conn, request.owner_id, request.shared_roots, hits));
    return hits;
  });
}

}  // namespace coffer::meta
