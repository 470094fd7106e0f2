#pragma once
// How a users row maps to User, shared by the SQL stores that read users.

#include <string_view>

#include "core/model.h"
#include "core/status.h"
#include "meta/database.h"

namespace coffer::meta {

// "SELECT <the user columns> FROM users "; add WHERE/ORDER BY. For joins, select
// kUserColumnsOf("u") and read the row with user_from_row(row, first_column).
inline constexpr std::string_view kUserSelect =
    "SELECT id, username, password_hash, role, status, root_id, created_at, quota_bytes "
    "FROM users ";
inline constexpr std::string_view kUserColumnsU =
    "u.id, u.username, u.password_hash, u.role, u.status, u.root_id, u.created_at, "
    "u.quota_bytes";
inline constexpr size_t kUserColumnCount = 8;

// Errors: kCorruption (an unknown role or status).
Result<User> user_from_row(const Row& row, size_t first_column = 0);

}  // namespace coffer::meta
