#include "meta/sql_media_store.h"

#include <algorithm>

#include "meta/chunk_rows.h"

namespace coffer::meta {

Result<std::optional<Thumbnail>> SqlMediaStore::thumbnail(const std::string& sha256,
                                                          const std::string& variant) {
  using Out = std::optional<Thumbnail>;
  return transact_value<Out>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Out> {
    auto row = conn.query_row(
        "SELECT mime, width, height, size, thumb_sha256 FROM thumbnails "
        "WHERE sha256 = ? AND variant = ?",
        {sha256, variant});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Out();
    Thumbnail t;
    t.sha256 = sha256;
    t.variant = variant;
    t.mime = (*row)->text(0);
    t.width = static_cast<int>((*row)->int64(1));
    t.height = static_cast<int>((*row)->int64(2));
    t.size = static_cast<uint64_t>((*row)->int64(3));
    t.thumb_sha256 = (*row)->text(4);
    auto chunks = load_chunk_list(conn, "thumbnail_chunks", "l.sha256 = ? AND l.variant = ?",
                                  {sha256, variant});
    COFFER_RETURN_IF_ERROR(chunks);
    t.chunks = std::move(*chunks);
    return Out(std::move(t));
  });
}

Result<bool> SqlMediaStore::has_thumbnails(const std::string& sha256,
                                           const std::vector<std::string>& variants) {
  return transact_value<bool>(db_, TxMode::kRead, [&](Connection& conn) -> Result<bool> {
    for (const std::string& variant : variants) {
      auto row = conn.query_row("SELECT 1 FROM thumbnails WHERE sha256 = ? AND variant = ?",
                                {sha256, variant});
      COFFER_RETURN_IF_ERROR(row);
      if (!*row) return false;
    }
    return true;
  });
}

Result<std::set<std::string>> SqlMediaStore::with_thumbnails(
    const std::vector<std::string>& sha256s) {
  // Asked in slices, so that a statement's parameters stay few whatever the page size.
  constexpr size_t kSlice = 100;
  using Out = std::set<std::string>;
  return transact_value<Out>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Out> {
    Out out;
    for (size_t at = 0; at < sha256s.size(); at += kSlice) {
      const size_t n = std::min(kSlice, sha256s.size() - at);
      std::string sql = "SELECT DISTINCT sha256 FROM thumbnails WHERE sha256 IN (?";
      for (size_t i = 1; i < n; ++i) sql += ", ?";
      sql += ")";
      Params params(sha256s.begin() + static_cast<std::ptrdiff_t>(at),
                    sha256s.begin() + static_cast<std::ptrdiff_t>(at + n));
      auto rows = conn.query(sql, params);
      COFFER_RETURN_IF_ERROR(rows);
      for (const Row& row : *rows) out.insert(row.text(0));
    }
    return out;
  });
}

Status SqlMediaStore::save(const std::string& sha256, const MediaInfo& info,
                           const std::vector<Thumbnail>& thumbnails, Micros now) {
  auto opt = [](const std::string& s) { return s.empty() ? Value() : Value(s); };
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(conn.exec(
        "INSERT INTO media_info (sha256, width, height, camera_make, camera_model, taken_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        {sha256, info.width, info.height, opt(info.camera_make), opt(info.camera_model),
         opt(info.taken_at), now}));
    for (const Thumbnail& t : thumbnails) {
      auto inserted = conn.exec(
          "INSERT INTO thumbnails (sha256, variant, mime, width, height, size, thumb_sha256, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
          {sha256, t.variant, t.mime, t.width, t.height, t.size, t.thumb_sha256, now});
      COFFER_RETURN_IF_ERROR(inserted);
      if (*inserted == 0) continue;  // another worker recorded it first
      for (size_t seq = 0; seq < t.chunks.size(); ++seq) {
        const VersionChunk& c = t.chunks[seq];
        COFFER_RETURN_IF_ERROR(record_chunk(conn, c, now));
        COFFER_RETURN_IF_ERROR(conn.exec(
            "INSERT INTO thumbnail_chunks (sha256, variant, seq, chunk, byte_offset, size, "
            "stored_size, encoding) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {sha256, t.variant, seq, c.chunk, c.offset, c.size, c.stored_size, c.encoding}));
      }
    }
    return Status::ok();
  });
}

Result<std::optional<MediaInfo>> SqlMediaStore::media_info(const std::string& sha256) {
  using Out = std::optional<MediaInfo>;
  return transact_value<Out>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Out> {
    auto row = conn.query_row(
        "SELECT width, height, camera_make, camera_model, taken_at FROM media_info "
        "WHERE sha256 = ?",
        {sha256});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Out();
    return Out(MediaInfo{static_cast<int>((*row)->int64(0)), static_cast<int>((*row)->int64(1)),
                         (*row)->text(2), (*row)->text(3), (*row)->text(4)});
  });
}

Result<int64_t> SqlMediaStore::prune_orphans() {
  return transact_value<int64_t>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<int64_t> {
    constexpr std::string_view kOrphan =
        " WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.sha256 = ";
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM thumbnail_chunks" + std::string(kOrphan) +
                                     "thumbnail_chunks.sha256)"));
    COFFER_RETURN_IF_ERROR(
        conn.exec("DELETE FROM thumbnails" + std::string(kOrphan) + "thumbnails.sha256)"));
    return conn.exec("DELETE FROM media_info" + std::string(kOrphan) + "media_info.sha256)");
  });
}

}  // namespace coffer::meta
