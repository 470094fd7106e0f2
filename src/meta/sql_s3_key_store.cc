#include "meta/sql_s3_key_store.h"

#include <utility>

#include "meta/sql_statements.h"
#include "meta/user_row.h"

namespace coffer::meta {
namespace {

// The one reader of an s3_keys row: every query selects these columns first.
constexpr std::string_view kKeyColumns =
    "k.id, k.user_id, k.name, k.scopes, k.access_key_id, k.created_at, k.last_used_at";
constexpr size_t kKeyColumnCount = 7;

S3Key key_from_row(const Row& row) {
  S3Key key;
  key.id = row.int64(0);
  key.user_id = row.int64(1);
  key.name = row.text(2);
  key.scopes = scopes_from_text(row.text(3));
  key.access_key_id = row.text(4);
  key.created = row.int64(5);
  if (!row.is_null(6)) key.last_used = row.int64(6);
  return key;
}

}  // namespace

Result<S3Key> SqlS3KeyStore::create_s3_key(int64_t user_id, const std::string& name,
                                           uint32_t scopes, const std::string& access_key_id,
                                           const std::string& sealed_secret, Micros now,
                                           size_t max_active) {
  return transact_value<S3Key>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<S3Key> {
    auto active = conn.query_row(
        "SELECT COUNT(*) FROM s3_keys WHERE user_id = ? AND revoked_at IS NULL", {user_id});
    COFFER_RETURN_IF_ERROR(active);
    if ((*active)->int64(0) >= static_cast<int64_t>(max_active)) {
      return Status(Errc::kLimitExceeded, "at most " + std::to_string(max_active) +
                                              " S3 access keys may be active; revoke one first");
    }
    auto row = conn.query_row(
        "INSERT INTO s3_keys (user_id, name, scopes, access_key_id, sealed_secret, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        {user_id, name, scopes_text(scopes), access_key_id, sealed_secret, now});
    COFFER_RETURN_IF_ERROR(row);
    return S3Key{(*row)->int64(0), user_id, name, scopes, access_key_id, now, std::nullopt};
  });
}

Result<std::vector<S3Key>> SqlS3KeyStore::list_s3_keys(int64_t user_id) {
  return read_all(db_,
                  "SELECT " + std::string(kKeyColumns) +
                      " FROM s3_keys k WHERE k.user_id = ? AND k.revoked_at IS NULL ORDER BY k.id",
                  {user_id}, key_from_row);
}

Status SqlS3KeyStore::revoke_s3_key(int64_t user_id, int64_t key_id, Micros now) {
  return update_one(
      db_, "UPDATE s3_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
      {now, key_id, user_id}, "no such S3 access key");
}

Result<S3KeyUse> SqlS3KeyStore::use_s3_key(const std::string& access_key_id, Micros now) {
  static const std::string sql = "SELECT " + std::string(kKeyColumns) + ", k.sealed_secret, " +
                                 std::string(kUserColumnsU) +
                                 " FROM s3_keys k JOIN users u ON u.id = k.user_id "
                                 "WHERE k.access_key_id = ? AND k.revoked_at IS NULL";
  auto found =
      transact_value<S3KeyUse>(db_, TxMode::kRead, [&](Connection& conn) -> Result<S3KeyUse> {
        auto row = conn.query_row(sql, {access_key_id});
        COFFER_RETURN_IF_ERROR(row);
        if (!*row) return Status(Errc::kNotFound, "no such S3 access key");
        auto user = user_from_row(**row, kKeyColumnCount + 1);
        COFFER_RETURN_IF_ERROR(user);
        return S3KeyUse{key_from_row(**row), (*row)->text(kKeyColumnCount), std::move(*user)};
      });
  COFFER_RETURN_IF_ERROR(found);
  COFFER_RETURN_IF_ERROR(
      record_credential_use(db_, "s3_keys", found->key.id, found->key.last_used, now));
  return found;
}

}  // namespace coffer::meta
