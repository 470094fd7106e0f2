#include "meta/search_docs.h"

#include <cstdint>

namespace coffer::meta {
namespace {

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

Status index_node(Connection& conn, int64_t node_id) {
  // An unchanged name is not written again (FTS5 would delete and insert the row).
  return status_of(
      conn.exec("INSERT INTO search_docs (node_id, owner_id, name) "
                "SELECT id, owner_id, name FROM nodes WHERE id = ? AND parent_id IS NOT NULL "
                "ON CONFLICT (node_id) DO UPDATE SET name = excluded.name "
                "WHERE search_docs.name <> excluded.name",
                {node_id}));
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
