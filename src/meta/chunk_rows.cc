#include "meta/chunk_rows.h"

#include <string>

namespace coffer::meta {
// Checks are unsigned 64-bit; the column is a signed BIGINT, which holds the same bits.
Value chunk_check_value(uint64_t check) {
  return check == 0 ? Value() : Value(static_cast<int64_t>(check));
}

uint64_t chunk_check_of(const Row& row, size_t column) {
  return row.is_null(column) ? 0 : static_cast<uint64_t>(row.int64(column));
}

Status record_chunk(Connection& conn, const VersionChunk& c, Micros now) {
  return status_of(
      conn.exec("INSERT INTO chunks (hash, size, stored_size, encoding, created_at, xxh3) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET xxh3 = excluded.xxh3 "
                "WHERE chunks.xxh3 IS NULL AND excluded.xxh3 IS NOT NULL",
                {c.chunk, c.size, c.stored_size, c.encoding, now, chunk_check_value(c.check)}));
}

Result<std::vector<VersionChunk>> load_chunk_list(Connection& conn, std::string_view list_table,
                                                  std::string_view where, const Params& params) {
  std::vector<VersionChunk> chunks;
  const std::string sql =
      "SELECT l.chunk, l.byte_offset, l.size, l.stored_size, l.encoding, c.xxh3 FROM " +
      std::string(list_table) + " l LEFT JOIN chunks c ON c.hash = l.chunk WHERE " +
      std::string(where) + " ORDER BY l.seq";
  COFFER_RETURN_IF_ERROR(conn.query_each(sql, params, [&](const Row& row) {
    chunks.push_back(VersionChunk{row.text(0), static_cast<uint64_t>(row.int64(1)),
                                  static_cast<uint32_t>(row.int64(2)),
                                  static_cast<uint32_t>(row.int64(3)),
                                  static_cast<uint8_t>(row.int64(4)), chunk_check_of(row, 5)});
    return Status::ok();
  }));
  return chunks;
}

}  // namespace coffer::meta
