#include "core/sharing.h"

namespace coffer {

std::string_view permission_name(Permission permission) {
  return permission == Permission::kWrite ? "write" : "read";
}

std::optional<Permission> parse_permission(std::string_view name) {
  if (name == "read") return Permission::kRead;
  if (name == "write") return Permission::kWrite;
  return std::nullopt;
}

}  // namespace coffer
