#include "core/model.h"

#include <chrono>

namespace coffer {

Micros now_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kOperator:
      return "operator";
    case Role::kUser:
      return "user";
  }
  return "user";
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "admin") return Role::kAdmin;
  if (name == "operator") return Role::kOperator;
  if (name == "user") return Role::kUser;
  return std::nullopt;
}

std::string_view user_status_name(UserStatus status) {
  switch (status) {
    case UserStatus::kActive:
      return "active";
    case UserStatus::kDisabled:
      return "disabled";
    case UserStatus::kLocked:
      return "locked";
    case UserStatus::kDeleted:
      return "deleted";
  }
  return "active";
}

std::optional<UserStatus> parse_user_status(std::string_view name) {
  if (name == "active") return UserStatus::kActive;
  if (name == "disabled") return UserStatus::kDisabled;
  if (name == "locked") return UserStatus::kLocked;
  if (name == "deleted") return UserStatus::kDeleted;
  return std::nullopt;
}

}  // namespace coffer
