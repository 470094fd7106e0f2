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

std::string_view doc_status_name(DocStatus status) {
  switch (status) {
    case DocStatus::kPending:
      return "pending";
    case DocStatus::kActive:
      return "active";
    case DocStatus::kArchived:
      return "archived";
    case DocStatus::kError:
      return "error";
  }
  return "active";
}

std::optional<DocStatus> parse_doc_status(std::string_view name) {
  if (name == "pending") return DocStatus::kPending;
  if (name == "active") return DocStatus::kActive;
  if (name == "archived") return DocStatus::kArchived;
  if (name == "error") return DocStatus::kError;
  return std::nullopt;
}

bool doc_status_transition_allowed(DocStatus from, DocStatus to) {
  using enum DocStatus;
  if (from == to) return true;
  switch (from) {
    case kPending:
      return to == kActive || to == kError;
    case kActive:
      return to == kArchived || to == kPending;
    case kArchived:
      return to == kActive;
    case kError:
      return to == kPending || to == kActive;
  }
  return false;
}

}  // namespace coffer
