#include "service/access_policy.h"

namespace coffer::service {

Result<Access> AccessPolicy::check(int64_t actor, int64_t node_id, Permission need,
                                   Node* node) const {
  auto own = catalog_.get_node(actor, node_id);
  if (own.is_ok()) {
    if (node != nullptr) *node = std::move(*own);
    return Access{actor, Permission::kWrite, 0};
  }
  if (own.status().code() != Errc::kNotFound) return own.status();
  auto shared = catalog_.shares().share_access(actor, node_id);
  COFFER_RETURN_IF_ERROR(shared);
  if (!*shared) return Status(Errc::kNotFound, "no such file or folder");
  if (need == Permission::kWrite && (*shared)->permission != Permission::kWrite) {
    return Status(Errc::kForbidden, "this is shared with you read-only");
  }
  if (node != nullptr) {
    auto theirs = catalog_.get_node((*shared)->owner_id, node_id);
    COFFER_RETURN_IF_ERROR(theirs);
    *node = std::move(*theirs);
  }
  return **shared;
}

Result<Access> AccessPolicy::check_below_share(int64_t actor, int64_t node_id, Node* node) const {
  auto access = check(actor, node_id, Permission::kWrite, node);
  COFFER_RETURN_IF_ERROR(access);
  if (!access->owned() && access->share_root_id == node_id) {
    return Status(Errc::kForbidden, "the shared item itself can only be changed by its owner");
  }
  return access;
}

}  // namespace coffer::service
