#include "meta/sql_search_index.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "meta/node_row.h"

namespace coffer::meta {
namespace {

// What differs per engine: the FROM clause that yields matching documents as `d`, the score
// (higher is better) and the snippet (highlights between kHighlightOpen and kHighlightClose).
struct EngineSql {
  std::string from;   // names the documents `d`
  std::string match;  // the condition, with the query as its parameter
  std::string score;
  std::string snippet;
  Value query;
};

// Column weights, in the order of search_fts's columns: name, path, tags, meta, content.
EngineSql sqlite_sql(const SearchQuery& query, SearchFields fields) {
  return EngineSql{"search_fts JOIN search_docs d ON d.node_id = search_fts.rowid",
                   "search_fts MATCH ?", "-bm25(search_fts, 10.0, 3.0, 6.0, 2.0, 1.0)",
                   "snippet(search_fts, -1, char(1), char(2), '…', 16)", fts5_query(query, fields)};
}

// ts_headline reads the text given to it: the name, tags and the start of the content, with
// the characters that join tokens made blanks as in the index (database.cc).
EngineSql postgres_sql(const SearchQuery& query, SearchFields fields) {
  return EngineSql{
      "search_docs d CROSS JOIN to_tsquery('simple', ?) q", "d.document @@ q",
      "ts_rank_cd(d.document, q)",
      "ts_headline('simple', translate(d.name || ' ' || d.tags || ' ' || left(d.content, 65536), "
      "'-./@_:+~\\<>&', '            '), q, "
      "'StartSel=\"\x01\", StopSel=\"\x02\", MaxWords=24, MinWords=8, MaxFragments=1, "
      "FragmentDelimiter=\" … \"')",
      tsquery_text(query, fields)};
}

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

// A shared node as the index sees it: its owner and the path of its subtree in the owner's
// tree ("/Work/Project" for the folder Project in Work), which its descendants' paths begin
// with.
struct ShareScope {
  int64_t root_id = 0;
  int64_t owner_id = 0;
  std::string subtree_path;
  std::string name;
};

// The scopes of the live `roots`, outermost first (a share inside another shared folder
// shows its hits with the longer path of the outer share).
Result<std::vector<ShareScope>> read_scopes(Connection& conn, const std::vector<int64_t>& roots) {
  std::vector<ShareScope> scopes;
  if (roots.empty()) return scopes;
  // One query for all of them; a root trashed or purged since the caller listed its shares
  // is simply not found.
  std::string sql =
      "SELECT d.node_id, d.owner_id, d.path, d.name FROM search_docs d "
      "JOIN nodes n ON n.id = d.node_id WHERE n.deleted_at IS NULL AND d.node_id IN (";
  Params params;
  for (size_t i = 0; i < roots.size(); ++i) {
    sql += i == 0 ? "?" : ", ?";
    params.emplace_back(roots[i]);
  }
  sql += ")";
  COFFER_RETURN_IF_ERROR(conn.query_each(sql, params, [&](const Row& row) {
    scopes.push_back(
        ShareScope{row.int64(0), row.int64(1), row.text(2) + "/" + row.text(3), row.text(3)});
    return Status::ok();
  }));
  // Outermost first; ties in a stable order whatever the engine returned.
  std::ranges::sort(scopes, [](const ShareScope& a, const ShareScope& b) {
    return a.subtree_path.size() != b.subtree_path.size()
               ? a.subtree_path.size() < b.subtree_path.size()
               : a.root_id < b.root_id;
  });
  return scopes;
}

// Limits a query to the subtrees of `scopes`.
void append_scopes(const std::vector<ShareScope>& scopes, std::string& sql, Params& params) {
  sql += " AND (";
  for (size_t i = 0; i < scopes.size(); ++i) {
    if (i > 0) sql += " OR ";
    sql +=
        "(n.owner_id = ? AND (n.id = ? OR d.path = ? OR "
        "SUBSTR(d.path, 1, LENGTH(?)) = ?))";
    const ShareScope& s = scopes[i];
    params.emplace_back(s.owner_id);
    params.emplace_back(s.root_id);
    params.emplace_back(s.subtree_path);
    params.emplace_back(s.subtree_path + "/");
    params.emplace_back(s.subtree_path + "/");
  }
  sql += ")";
}

// Rewrites a hit found in a share to the recipient's view: its folder from the shared node
// down. The owner's path above the share never leaves this file.
void place_in_share(const std::vector<ShareScope>& scopes, SearchHit& hit) {
  for (const ShareScope& s : scopes) {
    if (s.owner_id != hit.node.owner_id) continue;
    if (hit.node.id == s.root_id) {
      hit.path.clear();
    } else if (hit.path == s.subtree_path || hit.path.starts_with(s.subtree_path + "/")) {
      hit.path = "/" + s.name + hit.path.substr(s.subtree_path.size());
    } else {
      continue;
    }
    hit.share_root_id = s.root_id;
    return;
  }
  hit.path.clear();  // unreachable: the query matched one of the scopes
}

}  // namespace

std::string fts5_query(const SearchQuery& query, SearchFields fields) {
  std::string out;
  for (const SearchTerm& term : query.terms) {
    if (!out.empty()) out += " AND ";
    std::string phrase = "\"";
    for (size_t i = 0; i < term.words.size(); ++i) {
      if (i > 0) phrase += ' ';
      phrase += term.words[i];  // letters, digits and UTF-8 only: nothing to escape
    }
    phrase += '"';
    if (term.prefix) {
      out += phrase + " *";
    } else {
      // A name is matched by the beginning of its words too: "photo" finds photo1.jpg.
      out += "(" + phrase + " OR {name} : " + phrase + " *)";
    }
  }
  if (fields == SearchFields::kWithoutPath) out = "{name tags meta content} : (" + out + ")";
  return out;
}

std::string tsquery_text(const SearchQuery& query, SearchFields fields) {
  // Weights: A name and tags, B path, C metadata, D content (database.cc).
  const std::string_view weights = fields == SearchFields::kWithoutPath ? "ACD" : "";
  // The words of `term` in order, the last one a prefix when `prefix`, each limited to
  // `limit` (all weights when empty).
  const auto phrase = [](const SearchTerm& term, bool prefix, std::string_view limit) {
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
  };
  std::string out;
  for (const SearchTerm& term : query.terms) {
    if (!out.empty()) out += " & ";
    out += '(' + phrase(term, term.prefix, weights);
    // A name (weight A) is matched by the beginning of its words too, as on SQLite.
    if (!term.prefix) out += " | " + phrase(term, true, "A");
    out += ')';
  }
  return out;
}

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
  const bool sqlite = db_.dialect().kind() == Dialect::Kind::kSqlite;
  auto run = [&](Connection& conn, SearchFields fields, const std::vector<ShareScope>* scopes,
                 int64_t limit, int64_t offset, std::vector<SearchHit>& hits) -> Status {
    const EngineSql engine =
        sqlite ? sqlite_sql(request.query, fields) : postgres_sql(request.query, fields);
    std::string sql =
        "SELECT " + std::string(node_columns()) + ", d.path, n.status, " + engine.snippet + ", " +
        engine.score + " AS score FROM " + engine.from +
        " JOIN nodes n ON n.id = d.node_id LEFT JOIN versions v ON v.id = n.current_version_id "
        "WHERE " +
        engine.match + " AND n.deleted_at IS NULL";
    Params params{engine.query};
    if (scopes) {
      append_scopes(*scopes, sql, params);
    } else {
      sql += " AND n.owner_id = ?";
      params.emplace_back(request.owner_id);
    }
    append_filters(request, sql, params);
    sql += " ORDER BY score DESC, n.id LIMIT ? OFFSET ?";
    params.emplace_back(limit);
    params.emplace_back(offset);
    return conn.query_each(sql, params, [&](const Row& row) {
      SearchHit hit;
      hit.node = node_from_row(row);
      hit.path = row.text(node_extra_column(0));
      hit.status = parse_doc_status(row.text(node_extra_column(1))).value_or(DocStatus::kActive);
      hit.snippet = row.text(node_extra_column(2));
      hit.score = row.real(node_extra_column(3));
      if (scopes) place_in_share(*scopes, hit);
      hits.push_back(std::move(hit));
      return Status::ok();
    });
  };

  using Hits = std::vector<SearchHit>;
  return transact_value<Hits>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Hits> {
    Hits hits;
    auto scopes = read_scopes(conn, request.shared_roots);
    COFFER_RETURN_IF_ERROR(scopes);
    if (scopes->empty()) {
      COFFER_RETURN_IF_ERROR(
          run(conn, SearchFields::kAll, nullptr, request.limit, request.offset, hits));
      return hits;
    }
    // Both queries return their best offset + limit; the page is cut from the merge. Their
    // scores are of the same kind (one index, one formula).
    const int64_t wanted = int64_t{request.offset} + request.limit;
    COFFER_RETURN_IF_ERROR(run(conn, SearchFields::kAll, nullptr, wanted, 0, hits));
    COFFER_RETURN_IF_ERROR(run(conn, SearchFields::kWithoutPath, &*scopes, wanted, 0, hits));
    std::ranges::stable_sort(hits, [](const SearchHit& a, const SearchHit& b) {
      return a.score != b.score ? a.score > b.score : a.node.id < b.node.id;
    });
    const size_t begin = std::min<size_t>(request.offset, hits.size());
    const size_t end = std::min<size_t>(begin + request.limit, hits.size());
    return Hits(std::make_move_iterator(hits.begin() + static_cast<std::ptrdiff_t>(begin)),
                std::make_move_iterator(hits.begin() + static_cast<std::ptrdiff_t>(end)));
  });
}

}  // namespace coffer::meta
