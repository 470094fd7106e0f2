// AdminService: retention rules and legal holds (core/retention.h). Administrators set them on
// anyone's nodes by id; the audit log records every change with the node and the reason.

#include "service/admin_service.h"

namespace coffer::service {
namespace {

std::string node_target(int64_t id) { return "node:" + std::to_string(id); }

}  // namespace

Result<std::vector<RetentionRule>> AdminService::list_retention(const Principal& who) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  return catalog_.retention().list_retention();
}

Result<RetentionRule> AdminService::set_retention(const Principal& who, int64_t node_id,
                                                  Micros retain_until,
                                                  const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  auto rule = catalog_.retention().set_retention(node_id, retain_until, who.user_id, now_micros());
  COFFER_RETURN_IF_ERROR(rule);
  auth_.audit(&who, "admin.retention_set", node_target(node_id), "success", origin,
              "retain_until: " + std::to_string(retain_until / kMicrosPerSecond) +
                  "; owner: user:" + std::to_string(rule->owner_id));
  return rule;
}

Status AdminService::remove_retention(const Principal& who, int64_t node_id,
                                      const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  COFFER_RETURN_IF_ERROR(catalog_.retention().remove_retention(node_id, now_micros()));
  auth_.audit(&who, "admin.retention_remove", node_target(node_id), "success", origin);
  return Status::ok();
}

Result<std::vector<LegalHold>> AdminService::list_holds(const Principal& who) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  return catalog_.retention().list_holds();
}

Result<LegalHold> AdminService::place_hold(const Principal& who, int64_t node_id,
                                           std::string_view reason, const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  if (reason.empty() || reason.size() > kMaxHoldReasonBytes) {
    return Status(Errc::kInvalidArgument,
                  "reason must be 1 to " + std::to_string(kMaxHoldReasonBytes) + " bytes");
  }
  auto hold =
      catalog_.retention().place_hold(node_id, std::string(reason), who.user_id, now_micros());
  COFFER_RETURN_IF_ERROR(hold);
  auth_.audit(&who, "admin.legal_hold_place", node_target(node_id), "success", origin,
              "owner: user:" + std::to_string(hold->owner_id) + "; reason: " + std::string(reason));
  return hold;
}

Status AdminService::release_hold(const Principal& who, int64_t node_id,
                                  const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  COFFER_RETURN_IF_ERROR(catalog_.retention().release_hold(node_id));
  auth_.audit(&who, "admin.legal_hold_release", node_target(node_id), "success", origin);
  return Status::ok();
}

}  // namespace coffer::service
