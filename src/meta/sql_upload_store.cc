#include "meta/sql_upload_store.h"

#include "meta/chunk_rows.h"

namespace coffer::meta {
namespace {

constexpr std::string_view kSelectUpload =
    "SELECT id, owner_id, parent_id, name, length, received, metadata, created_at, expires_at, "
    "file_id FROM uploads WHERE owner_id = ? AND id = ?";

UploadRecord upload_from_row(const Row& row) {
  UploadRecord r;
  r.id = row.text(0);
  r.owner_id = row.int64(1);
  r.parent_id = row.int64(2);
  r.name = row.text(3);
  if (auto length = row.opt_int64(4)) r.length = static_cast<uint64_t>(*length);
  r.offset = static_cast<uint64_t>(row.int64(5));
  r.metadata = row.text(6);
  r.created = row.int64(7);
  r.expires = row.int64(8);
  r.file_id = row.opt_int64(9).value_or(0);
  return r;
}

// The uploads table keeps no per-user total: the received bytes of the owner's live incomplete
// uploads are summed (a user has few uploads in progress at a time).
Result<uint64_t> received_in_progress(Connection& conn, int64_t owner_id, Micros now) {
  auto row = conn.query_row(
      "SELECT CAST(COALESCE(SUM(received), 0) AS BIGINT) FROM uploads "
      "WHERE owner_id = ? AND file_id IS NULL AND expires_at > ?",
      {owner_id, now});
  COFFER_RETURN_IF_ERROR(row);
  return static_cast<uint64_t>((*row)->int64(0));
}

Result<UploadRecord> load(Connection& conn, int64_t owner_id, const std::string& id) {
  auto row = conn.query_row(kSelectUpload, {owner_id, id});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such upload");
  return upload_from_row(**row);
}

}  // namespace

Status SqlUploadStore::create_upload(const UploadRecord& r) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec(
        "INSERT INTO uploads (id, owner_id, parent_id, name, length, received, metadata, "
        "created_at, expires_at, file_id) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, NULL)",
        {r.id, r.owner_id, r.parent_id, r.name,
         r.length ? Value(static_cast<int64_t>(*r.length)) : Value(), r.metadata, r.created,
         r.expires});
    return n.status();
  });
}

Result<UploadRecord> SqlUploadStore::get_upload(int64_t owner_id, const std::string& id) {
  return transact_value<UploadRecord>(db_, TxMode::kRead,
                                      [&](Connection& conn) { return load(conn, owner_id, id); });
}

Result<UploadRecord> SqlUploadStore::append_upload(int64_t owner_id, const std::string& id,
                                                   uint64_t expected_offset, uint64_t bytes,
                                                   const std::vector<VersionChunk>& chunks,
                                                   std::optional<uint64_t> length, Micros expires,
                                                   std::optional<UploadRoom> room) {
  return transact_value<UploadRecord>(
      db_, TxMode::kWrite, [&](Connection& conn) -> Result<UploadRecord> {
        auto record = load(conn, owner_id, id);
        COFFER_RETURN_IF_ERROR(record);
        if (record->file_id != 0) return Status(Errc::kOffsetMismatch, "the upload is complete");
        if (record->offset != expected_offset) {
          return Status(Errc::kOffsetMismatch,
                        "the upload is at offset " + std::to_string(record->offset));
        }
        if (length) {
          if (record->length && *record->length != *length) {
            return Status(Errc::kInvalidArgument, "Upload-Length cannot change");
          }
          record->length = length;
        }
        const uint64_t end = expected_offset + bytes;
        if (record->length && end > *record->length) {
          return Status(Errc::kInvalidArgument, "the data goes past Upload-Length");
        }
        if (room && bytes > 0) {
          // In the write transaction: SQLite has one writer, and PostgreSQL's serializable
          // isolation aborts (and the Database retries) one of two appends that both read the
          // sum and then add to it.
          auto held = received_in_progress(conn, owner_id, room->now);
          COFFER_RETURN_IF_ERROR(held);
          if (*held + bytes > room->bytes) {
            return Status(
                Errc::kQuotaExceeded,
                "the upload does not fit in the storage quota: " + std::to_string(room->bytes) +
                    " bytes left, uploads in progress " + "hold " + std::to_string(*held) +
                    ", this part has " + std::to_string(bytes));
          }
        }
        for (const VersionChunk& c : chunks) {
          COFFER_RETURN_IF_ERROR(conn.exec(
              "INSERT INTO upload_chunks (upload_id, byte_offset, chunk, size, stored_size, "
              "encoding, xxh3) VALUES (?, ?, ?, ?, ?, ?, ?)",
              {id, static_cast<int64_t>(c.offset), c.chunk, c.size, c.stored_size,
               static_cast<int>(c.encoding), chunk_check_value(c.check)}));
        }
        COFFER_RETURN_IF_ERROR(
            conn.exec("UPDATE uploads SET received = ?, length = ?, expires_at = ? WHERE id = ?",
                      {static_cast<int64_t>(end),
                       record->length ? Value(static_cast<int64_t>(*record->length)) : Value(),
                       expires, id}));
        record->offset = end;
        record->expires = expires;
        return std::move(*record);
      });
}

Result<uint64_t> SqlUploadStore::bytes_in_progress(int64_t owner_id, Micros now) {
  return transact_value<uint64_t>(db_, TxMode::kRead, [&](Connection& conn) {
    return received_in_progress(conn, owner_id, now);
  });
}

Result<std::vector<VersionChunk>> SqlUploadStore::upload_chunks(const std::string& id) {
  return transact_value<std::vector<VersionChunk>>(
      db_, TxMode::kRead, [&](Connection& conn) -> Result<std::vector<VersionChunk>> {
        auto rows = conn.query(
            "SELECT chunk, byte_offset, size, stored_size, encoding, xxh3 FROM upload_chunks "
            "WHERE upload_id = ? ORDER BY byte_offset",
            {id});
        COFFER_RETURN_IF_ERROR(rows);
        std::vector<VersionChunk> out;
        out.reserve(rows->size());
        for (const Row& row : *rows) {
          out.push_back(VersionChunk{row.text(0), static_cast<uint64_t>(row.int64(1)),
                                     static_cast<uint32_t>(row.int64(2)),
                                     static_cast<uint32_t>(row.int64(3)),
                                     static_cast<uint8_t>(row.int64(4)), chunk_check_of(row, 5)});
        }
        return out;
      });
}

Status SqlUploadStore::complete_upload(int64_t owner_id, const std::string& id, int64_t file_id) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec("UPDATE uploads SET file_id = ? WHERE owner_id = ? AND id = ?",
                       {file_id, owner_id, id});
    COFFER_RETURN_IF_ERROR(n);
    if (*n == 0) return Status(Errc::kNotFound, "no such upload");
    return conn.exec("DELETE FROM upload_chunks WHERE upload_id = ?", {id}).status();
  });
}

Status SqlUploadStore::delete_upload(int64_t owner_id, const std::string& id) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto record = load(conn, owner_id, id);
    COFFER_RETURN_IF_ERROR(record);
    COFFER_RETURN_IF_ERROR(conn.exec("DELETE FROM upload_chunks WHERE upload_id = ?", {id}));
    return conn.exec("DELETE FROM uploads WHERE id = ?", {id}).status();
  });
}

Result<int64_t> SqlUploadStore::delete_expired_uploads(Micros now) {
  return transact_value<int64_t>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<int64_t> {
    COFFER_RETURN_IF_ERROR(
        conn.exec("DELETE FROM upload_chunks WHERE upload_id IN "
                  "(SELECT id FROM uploads WHERE expires_at < ?)",
                  {now}));
    return conn.exec("DELETE FROM uploads WHERE expires_at < ?", {now});
  });
}

}  // namespace coffer::meta
