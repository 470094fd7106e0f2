#include "meta/search_docs.h"

#include <cstdint>

namespace coffer::meta {
namespace {

// The path of the folder `node_id` is in ("" for a child of the root, else "/a/b"), or
// nullopt when `node_id` is a root or missing.
Result<std::optional<std::string>> folder_path(Connection& conn, int64_t node_id) {
  auto rows = conn.query(
      "WITH RECURSIVE up(id, parent_id, name, depth) AS ("
      "  SELECT id, parent_id, name, 0 FROM nodes WHERE id = ?"
      "  UNION ALL"
      "  SELECT n.id, n.parent_id, n.name, up.depth + 1 FROM nodes n JOIN up ON n.id = "
      "up.parent_id)"
      "SELECT parent_id, name FROM up ORDER BY depth DESC",
      {node_id});
  COFFER_RETURN_IF_ERROR(rows);
  if (rows->size() < 2) return std::optional<std::string>();  // a root, or no such node
  std::string path;
  // The first row is the root (no name), the last the node itself.
  for (size_t i = 1; i + 1 < rows->size(); ++i) path += "/" + (*rows)[i].text(1);
  return std::optional<std::string>(std::move(path));
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the JSON string starting at json[i] == '"'; leaves i after its closing quote.
// Control characters (escaped ones included) become spaces: the index's snippets use two of
// them as highlight markers.
std::string json_string(std::string_view json, size_t& i) {
  std::string out;
  for (++i; i < json.size() && json[i] != '"'; ++i) {
    char c = json[i];
    if (c != '\\' || i + 1 >= json.size()) {
      out += c;
      continue;
    }
    c = json[++i];
    if (c == 'u' && i + 4 < json.size()) {
      uint32_t cp = 0;
      for (int k = 1; k <= 4; ++k) {
        const char h = json[i + k];
        cp = cp * 16 + static_cast<uint32_t>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
      }
      i += 4;
      // Surrogate halves carry no searchable word on their own.
      if (cp >= 0x20 && (cp < 0xD800 || cp > 0xDFFF))
        append_utf8(cp, out);
      else
        out += ' ';
    } else {
      out += (c == '"' || c == '\\' || c == '/') ? c : ' ';
    }
  }
  ++i;
  return out;
}

}  // namespace

Status index_subtree(Connection& conn, int64_t node_id) {
  auto folder = folder_path(conn, node_id);
  COFFER_RETURN_IF_ERROR(folder);
  if (!*folder) return Status::ok();
  // One statement for the whole subtree: the recursive part carries each node's full path.
  return status_of(conn.exec(
      "INSERT INTO search_docs (node_id, owner_id, name, path) "
      "WITH RECURSIVE tree(id, full_path) AS ("
      "  SELECT id, ? || '/' || name FROM nodes WHERE id = ?"
      "  UNION ALL"
      "  SELECT n.id, t.full_path || '/' || n.name FROM nodes n JOIN tree t ON n.parent_id = t.id)"
      "SELECT n.id, n.owner_id, n.name, COALESCE(p.full_path, ?) "
      "FROM tree t JOIN nodes n ON n.id = t.id LEFT JOIN tree p ON p.id = n.parent_id "
      "WHERE true "
      "ON CONFLICT (node_id) DO UPDATE SET name = excluded.name, path = excluded.path",
      {**folder, node_id, **folder}));
}

Status index_attributes(Connection& conn, int64_t node_id, const std::vector<std::string>& tags,
                        std::string_view metadata_json) {
  std::string tag_text;
  for (const std::string& tag : tags) {
    if (!tag_text.empty()) tag_text += ' ';
    tag_text += tag;
  }
  return status_of(conn.exec("UPDATE search_docs SET tags = ?, meta = ? WHERE node_id = ?",
                             {tag_text, metadata_values(metadata_json), node_id}));
}

Status copy_indexed_content(Connection& conn, int64_t from_node, int64_t to_node,
                            int64_t to_version) {
  return status_of(
      conn.exec("UPDATE search_docs SET content = COALESCE((SELECT s.content FROM search_docs s "
                "WHERE s.node_id = ?), ''), content_version_id = ? WHERE node_id = ?",
                {from_node, to_version, to_node}));
}

std::string metadata_values(std::string_view json) {
  std::string out;
  size_t i = 0;
  while (i < json.size()) {
    const char c = json[i];
    if (c == '"') {
      std::string value = json_string(json, i);
      size_t j = i;
      while (j < json.size() &&
             (json[j] == ' ' || json[j] == '\n' || json[j] == '\t' || json[j] == '\r')) {
        ++j;
      }
      if (j < json.size() && json[j] == ':') continue;  // a member name
      if (!out.empty()) out += ' ';
      out += value;
    } else if (c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f') {
      const size_t start = i;
      while (i < json.size() && json[i] != ',' && json[i] != '}' && json[i] != ']' &&
             json[i] != ' ' && json[i] != '\n' && json[i] != '\t' && json[i] != '\r') {
        ++i;
      }
      if (!out.empty()) out += ' ';
      out.append(json.substr(start, i - start));
    } else {
      ++i;  // structure, whitespace, null
    }
  }
  return out;
}

}  // namespace coffer::meta
