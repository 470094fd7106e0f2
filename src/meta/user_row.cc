#include "meta/user_row.h"

#include <string>

namespace coffer::meta {

Result<User> user_from_row(const Row& row, size_t first_column) {
  const size_t c = first_column;
  User user;
  user.id = row.int64(c);
  user.username = row.text(c + 1);
  user.password_hash = row.text(c + 2);
  auto role = parse_role(row.text(c + 3));
  auto status = parse_user_status(row.text(c + 4));
  if (!role || !status) {
    return Status(Errc::kCorruption,
                  "user " + std::to_string(user.id) + " has an unknown role or status");
  }
  user.role = *role;
  user.status = *status;
  user.root_id = row.opt_int64(c + 5).value_or(0);
  user.created = row.int64(c + 6);
  user.quota_bytes = row.opt_int64(c + 7);
  return user;
}

}  // namespace coffer::meta
