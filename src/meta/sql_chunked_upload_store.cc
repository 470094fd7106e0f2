#include "meta/sql_chunked_upload_store.h"

#include <map>

#include "meta/chunk_rows.h"

namespace coffer::meta {
namespace {

constexpr std::string_view kSelectUploads =
    "SELECT owner_id, transfer, total_length, created_at, expires_at, target FROM "
    "chunked_uploads ";

ChunkedUpload upload_from_row(const Row& row) {
  ChunkedUpload u;
  u.owner_id = row.int64(0);
  u.transfer = row.text(1);
  if (auto length = row.opt_int64(2)) u.total_length = static_cast<uint64_t>(*length);
  u.created = row.int64(3);
  u.expires = row.int64(4);
  u.target = row.text(5);
  return u;
}

Result<ChunkedUpload> load(Connection& conn, int64_t owner_id, const std::string& transfer) {
  auto row = conn.query_row(std::string(kSelectUploads) + "WHERE owner_id = ? AND transfer = ?",
                            {owner_id, transfer});
  COFFER_RETURN_IF_ERROR(row);
  if (!*row) return Status(Errc::kNotFound, "no such upload");
  return upload_from_row(**row);
}

// Deletes a part's rows; returns whether it existed.
Result<bool> delete_part_rows(Connection& conn, int64_t owner_id, const std::string& transfer,
                              const std::string& name) {
  COFFER_RETURN_IF_ERROR(conn.exec(
      "DELETE FROM chunked_upload_chunks WHERE owner_id = ? AND transfer = ? AND part = ?",
      {owner_id, transfer, name}));
  auto n =
      conn.exec("DELETE FROM chunked_upload_parts WHERE owner_id = ? AND transfer = ? AND part = ?",
                {owner_id, transfer, name});
  COFFER_RETURN_IF_ERROR(n);
  return *n > 0;
}

Status delete_upload_rows(Connection& conn, int64_t owner_id, const std::string& transfer) {
  for (std::string_view table :
       {"chunked_upload_chunks", "chunked_upload_parts", "chunked_uploads"}) {
    COFFER_RETURN_IF_ERROR(
        conn.exec("DELETE FROM " + std::string(table) + " WHERE owner_id = ? AND transfer = ?",
                  {owner_id, transfer}));
  }
  return Status::ok();
}

}  // namespace

Status SqlChunkedUploadStore::create(const ChunkedUpload& u) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto existing =
        conn.query_row("SELECT 1 FROM chunked_uploads WHERE owner_id = ? AND transfer = ?",
                       {u.owner_id, u.transfer});
    COFFER_RETURN_IF_ERROR(existing);
    if (*existing) return Status(Errc::kAlreadyExists, "an upload of that name exists");
    return conn
        .exec(
            "INSERT INTO chunked_uploads (owner_id, transfer, total_length, created_at, "
            "expires_at, target) VALUES (?, ?, ?, ?, ?, ?)",
            {u.owner_id, u.transfer,
             u.total_length ? Value(static_cast<int64_t>(*u.total_length)) : Value(), u.created,
             u.expires, u.target.empty() ? Value() : Value(u.target)})
        .status();
  });
}

Result<ChunkedUpload> SqlChunkedUploadStore::get(int64_t owner_id, const std::string& transfer) {
  return transact_value<ChunkedUpload>(
      db_, TxMode::kRead, [&](Connection& conn) { return load(conn, owner_id, transfer); });
}

Result<std::vector<ChunkedUploadPart>> SqlChunkedUploadStore::parts(int64_t owner_id,
                                                                    const std::string& transfer,
                                                                    bool with_chunks) {
  using Parts = std::vector<ChunkedUploadPart>;
  return transact_value<Parts>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Parts> {
    COFFER_RETURN_IF_ERROR(load(conn, owner_id, transfer));
    auto rows = conn.query(
        "SELECT part, size, modified_at, md5 FROM chunked_upload_parts "
        "WHERE owner_id = ? AND transfer = ? ORDER BY part",
        {owner_id, transfer});
    COFFER_RETURN_IF_ERROR(rows);
    Parts out;
    out.reserve(rows->size());
    std::map<std::string, size_t> index;
    for (const Row& row : *rows) {
      index[row.text(0)] = out.size();
      out.push_back(ChunkedUploadPart{
          row.text(0), static_cast<uint64_t>(row.int64(1)), row.int64(2), {}, row.text(3)});
    }
    if (!with_chunks) return out;
    COFFER_RETURN_IF_ERROR(conn.query_each(
        "SELECT part, chunk, byte_offset, size, stored_size, encoding, xxh3 "
        "FROM chunked_upload_chunks "
        "WHERE owner_id = ? AND transfer = ? ORDER BY part, byte_offset",
        {owner_id, transfer}, [&](const Row& row) -> Status {
          auto it = index.find(row.text(0));
          if (it == index.end()) return Status(Errc::kInternal, "a chunk of no part");
          out[it->second].chunks.push_back(
              VersionChunk{row.text(1), static_cast<uint64_t>(row.int64(2)),
                           static_cast<uint32_t>(row.int64(3)), static_cast<uint32_t>(row.int64(4)),
                           static_cast<uint8_t>(row.int64(5)), chunk_check_of(row, 6)});
          return Status::ok();
        }));
    return out;
  });
}

Status SqlChunkedUploadStore::put_part(int64_t owner_id, const std::string& transfer,
                                       const ChunkedUploadPart& part, Micros expires,
                                       uint64_t max_parts) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(load(conn, owner_id, transfer));
    auto replaced = delete_part_rows(conn, owner_id, transfer, part.name);
    COFFER_RETURN_IF_ERROR(replaced);
    auto count = conn.query_row(
        "SELECT COUNT(*) FROM chunked_upload_parts WHERE owner_id = ? AND transfer = ?",
        {owner_id, transfer});
    COFFER_RETURN_IF_ERROR(count);
    if (*count && static_cast<uint64_t>((*count)->int64(0)) >= max_parts) {
      return Status(Errc::kInvalidArgument,
                    "an upload has at most " + std::to_string(max_parts) + " parts");
    }
    COFFER_RETURN_IF_ERROR(
        conn.exec("INSERT INTO chunked_upload_parts (owner_id, transfer, part, size, modified_at, "
                  "md5) VALUES (?, ?, ?, ?, ?, ?)",
                  {owner_id, transfer, part.name, static_cast<int64_t>(part.size), part.modified,
                   part.md5.empty() ? Value() : Value(part.md5)}));
    for (const VersionChunk& c : part.chunks) {
      COFFER_RETURN_IF_ERROR(conn.exec(
          "INSERT INTO chunked_upload_chunks (owner_id, transfer, part, byte_offset, chunk, "
          "size, stored_size, encoding, xxh3) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {owner_id, transfer, part.name, static_cast<int64_t>(c.offset), c.chunk, c.size,
           c.stored_size, static_cast<int>(c.encoding), chunk_check_value(c.check)}));
    }
    return conn
        .exec("UPDATE chunked_uploads SET expires_at = ? WHERE owner_id = ? AND transfer = ?",
              {expires, owner_id, transfer})
        .status();
  });
}

Status SqlChunkedUploadStore::delete_part(int64_t owner_id, const std::string& transfer,
                                          const std::string& name) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(load(conn, owner_id, transfer));
    auto existed = delete_part_rows(conn, owner_id, transfer, name);
    COFFER_RETURN_IF_ERROR(existed);
    if (!*existed) return Status(Errc::kNotFound, "no such part");
    return Status::ok();
  });
}

Status SqlChunkedUploadStore::remove(int64_t owner_id, const std::string& transfer) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    COFFER_RETURN_IF_ERROR(load(conn, owner_id, transfer));
    return delete_upload_rows(conn, owner_id, transfer);
  });
}

Result<std::vector<ChunkedUpload>> SqlChunkedUploadStore::list(int64_t owner_id) {
  using Uploads = std::vector<ChunkedUpload>;
  return transact_value<Uploads>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Uploads> {
    auto rows = conn.query(std::string(kSelectUploads) + "WHERE owner_id = ? ORDER BY transfer",
                           {owner_id});
    COFFER_RETURN_IF_ERROR(rows);
    Uploads out;
    for (const Row& row : *rows) out.push_back(upload_from_row(row));
    return out;
  });
}

Result<uint64_t> SqlChunkedUploadStore::bytes_held(int64_t owner_id) {
  return transact_value<uint64_t>(db_, TxMode::kRead, [&](Connection& conn) -> Result<uint64_t> {
    auto row = conn.query_row(
        "SELECT COALESCE(SUM(size), 0) FROM chunked_upload_parts WHERE owner_id = ?", {owner_id});
    COFFER_RETURN_IF_ERROR(row);
    return *row ? static_cast<uint64_t>((*row)->int64(0)) : 0;
  });
}

Result<int64_t> SqlChunkedUploadStore::remove_expired(Micros now) {
  return transact_value<int64_t>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<int64_t> {
    auto rows =
        conn.query("SELECT owner_id, transfer FROM chunked_uploads WHERE expires_at < ?", {now});
    COFFER_RETURN_IF_ERROR(rows);
    for (const Row& row : *rows) {
      COFFER_RETURN_IF_ERROR(delete_upload_rows(conn, row.int64(0), row.text(1)));
    }
    return static_cast<int64_t>(rows->size());
  });
}

}  // namespace coffer::meta
