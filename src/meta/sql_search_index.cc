#include "meta/sql_search_index.h"

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
EngineSql sqlite_sql(const SearchQuery& query) {
  return EngineSql{"search_fts JOIN search_docs d ON d.node_id = search_fts.rowid",
                   "search_fts MATCH ?", "-bm25(search_fts, 10.0, 3.0, 6.0, 2.0, 1.0)",
                   "snippet(search_fts, -1, char(1), char(2), '…', 16)", fts5_query(query)};
}

// ts_headline reads the text given to it: the name, tags and the start of the content, with
// the characters that join tokens made blanks as in the index (database.cc).
EngineSql postgres_sql(const SearchQuery& query) {
  return EngineSql{
      "search_docs d CROSS JOIN to_tsquery('simple', ?) q", "d.document @@ q",
      "ts_rank_cd(d.document, q)",
      "ts_headline('simple', translate(d.name || ' ' || d.tags || ' ' || left(d.content, 65536), "
      "'-./@_:+~\\<>&', '            '), q, "
      "'StartSel=\"\x01\", StopSel=\"\x02\", MaxWords=24, MinWords=8, MaxFragments=1, "
      "FragmentDelimiter=\" … \"')",
      tsquery_text(query)};
}

}  // namespace

std::string fts5_query(const SearchQuery& query) {
  std::string out;
  for (const SearchTerm& term : query.terms) {
    if (!out.empty()) out += ' ';
    out += '"';
    for (size_t i = 0; i < term.words.size(); ++i) {
      if (i > 0) out += ' ';
      out += term.words[i];  // letters, digits and UTF-8 only: nothing to escape
    }
    out += '"';
    if (term.prefix) out += " *";
  }
  return out;
}

std::string tsquery_text(const SearchQuery& query) {
  std::string out;
  for (const SearchTerm& term : query.terms) {
    if (!out.empty()) out += " & ";
    out += '(';
    for (size_t i = 0; i < term.words.size(); ++i) {
      if (i > 0) out += " <-> ";
      out += '\'' + term.words[i] + '\'';  // no quote or backslash can occur in a word
    }
    if (term.prefix) out += ":*";
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
  const EngineSql engine = sqlite ? sqlite_sql(request.query) : postgres_sql(request.query);
  std::string sql =
      "SELECT n.id, n.owner_id, n.parent_id, n.name, n.kind, n.created_at, n.modified_at, "
      "n.current_version_id, n.size, v.sha256, v.mime, d.path, n.status, " +
      engine.snippet + ", " + engine.score + " AS score FROM " + engine.from +
      " JOIN nodes n ON n.id = d.node_id LEFT JOIN versions v ON v.id = n.current_version_id "
      "WHERE " +
      engine.match + " AND n.deleted_at IS NULL";
  Params params{engine.query};
  // Ownership: the caller's own nodes. Shared folders will add their subtrees here (an
  // "accessible roots" list) when sharing lands.
  sql += " AND n.owner_id = ?";
  params.emplace_back(request.owner_id);
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
  sql += " ORDER BY score DESC, n.id LIMIT ? OFFSET ?";
  params.emplace_back(request.limit);
  params.emplace_back(request.offset);

  using Hits = std::vector<SearchHit>;
  return transact_value<Hits>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Hits> {
    Hits hits;
    COFFER_RETURN_IF_ERROR(conn.query_each(sql, params, [&](const Row& row) {
      SearchHit hit;
      hit.node = node_from_row(row);
      hit.path = row.text(11);
      hit.status = parse_doc_status(row.text(12)).value_or(DocStatus::kActive);
      hit.snippet = row.text(13);
      hit.score = row.real(14);
      hits.push_back(std::move(hit));
      return Status::ok();
    }));
    return hits;
  });
}

}  // namespace coffer::meta
