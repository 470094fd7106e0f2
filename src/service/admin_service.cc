#include "service/admin_service.h"

#include <utility>

#include "auth/opaque_token.h"
#include "auth/password.h"

namespace coffer::service {
namespace {

constexpr int64_t kResetLifetimeSeconds = 24 * 3600;
constexpr int64_t kMaxInviteLifetimeSeconds = 90 * 86400;
constexpr std::string_view kResetPrefix = "cfp_";
constexpr std::string_view kInvitePrefix = "cfi_";

std::string user_target(int64_t id) { return "user:" + std::to_string(id); }
std::string group_target(int64_t id) { return "group:" + std::to_string(id); }

Status validate_group_name(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status(Errc::kInvalidArgument, "group name must be 1 to 64 bytes");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Status(Errc::kInvalidArgument, "group name must not contain control characters");
    }
  }
  return Status::ok();
}

}  // namespace

Status require_admin(const Principal& who) {
  if (who.role != Role::kAdmin || !who.has(kScopeAdmin)) {
    return Status(Errc::kForbidden,
                  "administrators only (with two-factor authentication where "
                  "the server requires it)");
  }
  return Status::ok();
}

AdminService::AdminService(meta::Catalog& catalog, AuthService& auth)
    : catalog_(catalog), accounts_(catalog.accounts()), auth_(auth) {}

Result<std::vector<User>> AdminService::list_users(const Principal& who,
                                                   const meta::UserQuery& query) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  return accounts_.list_users(query);
}

Result<CreatedUser> AdminService::create_user(const Principal& who, std::string_view username,
                                              std::optional<std::string_view> password, Role role,
                                              const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  CreatedUser out;
  std::string chosen;
  if (password) {
    chosen = std::string(*password);
  } else {
    chosen = auth::generate_password();
    out.generated_password = chosen;
  }
  auto user = auth_.create_user(username, chosen, role);
  COFFER_RETURN_IF_ERROR(user);
  out.user = std::move(*user);
  auth_.audit(&who, "admin.user_create", user_target(out.user.id), "success", origin,
              "role: " + std::string(role_name(role)));
  return out;
}

Result<User> AdminService::get_user(const Principal& who, int64_t user_id) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  return catalog_.find_user(user_id);
}

Result<User> AdminService::update_user(const Principal& who, int64_t user_id,
                                       const meta::UserChanges& changes,
                                       const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  if (user_id == who.user_id && ((changes.role && *changes.role != Role::kAdmin) ||
                                 (changes.status && *changes.status != UserStatus::kActive))) {
    // The last admin locking themselves out is unrecoverable from the API.
    return Status(Errc::kConflict, "administrators cannot demote, disable or delete themselves");
  }
  if (changes.quota_bytes && *changes.quota_bytes && **changes.quota_bytes < 0) {
    return Status(Errc::kInvalidArgument, "quota_bytes must not be negative");
  }
  if (changes.status == UserStatus::kDeleted) {
    // A deleted account's files are out of everyone's reach; locked ones must stay reachable.
    COFFER_RETURN_IF_ERROR(catalog_.retention().refuse_if_owner_locked(user_id, now_micros()));
  }
  auto user = accounts_.update_user(user_id, changes, now_micros());
  auth_.credentials_changed();  // a status or role change must not wait for cached checks
  COFFER_RETURN_IF_ERROR(user);
  std::string detail;
  if (changes.role) detail += "role: " + std::string(role_name(*changes.role)) + "; ";
  if (changes.status) detail += "status: " + std::string(user_status_name(*changes.status)) + "; ";
  if (changes.quota_bytes) {
    detail += "quota: " + (*changes.quota_bytes ? std::to_string(**changes.quota_bytes)
                                                : std::string("default"));
  }
  auth_.audit(&who, "admin.user_update", user_target(user_id), "success", origin, detail);
  return user;
}

Status AdminService::delete_user(const Principal& who, int64_t user_id,
                                 const RequestOrigin& origin) {
  meta::UserChanges changes;
  changes.status = UserStatus::kDeleted;
  auto user = update_user(who, user_id, changes, origin);
  return status_of(user);
}

Result<IssuedSecret> AdminService::issue_password_reset(const Principal& who, int64_t user_id,
                                                        const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  auto user = catalog_.find_user(user_id);
  COFFER_RETURN_IF_ERROR(user);
  const Micros now = now_micros();
  std::string token = auth::new_opaque_token(kResetPrefix);
  COFFER_RETURN_IF_ERROR(
      accounts_.create_password_reset(user_id, who.user_id, auth::opaque_token_hash(token), now,
                                      now + kResetLifetimeSeconds * kMicrosPerSecond));
  auth_.audit(&who, "admin.password_reset", user_target(user_id), "success", origin);
  return IssuedSecret{std::move(token), kResetLifetimeSeconds};
}

Result<ServerSettings> AdminService::settings(const Principal& who) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  return ServerSettings{auth_.registration_mode(), auth_.admins_need_mfa()};
}

Result<ServerSettings> AdminService::update_settings(
    const Principal& who, std::optional<RegistrationMode> registration_mode,
    std::optional<bool> require_mfa_for_admins, const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  std::string detail;
  if (registration_mode) {
    COFFER_RETURN_IF_ERROR(accounts_.set_setting(
        kSettingRegistrationMode, std::string(registration_mode_name(*registration_mode))));
    detail += "registration_mode: " + std::string(registration_mode_name(*registration_mode));
  }
  if (require_mfa_for_admins) {
    Status set =
        accounts_.set_setting(kSettingAdminsNeedMfa, *require_mfa_for_admins ? "true" : "false");
    auth_.credentials_changed();  // admins' scopes depend on it
    COFFER_RETURN_IF_ERROR(set);
    detail += std::string(detail.empty() ? "" : "; ") +
              "require_mfa_for_admins: " + (*require_mfa_for_admins ? "true" : "false");
  }
  auth_.audit(&who, "admin.settings_update", "settings", "success", origin, detail);
  return settings(who);
}

Result<IssuedSecret> AdminService::create_invite(const Principal& who, int64_t expires_in_seconds,
                                                 const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  if (expires_in_seconds <= 0 || expires_in_seconds > kMaxInviteLifetimeSeconds) {
    return Status(Errc::kInvalidArgument, "expires_in must be between 1 second and 90 days");
  }
  const Micros now = now_micros();
  std::string token = auth::new_opaque_token(kInvitePrefix);
  COFFER_RETURN_IF_ERROR(accounts_.create_invite(auth::opaque_token_hash(token), who.user_id, now,
                                                 now + expires_in_seconds * kMicrosPerSecond));
  auth_.audit(&who, "admin.invite_create", "invite", "success", origin);
  return IssuedSecret{std::move(token), expires_in_seconds};
}

Result<std::vector<AuditEvent>> AdminService::audit_export_page(const Principal& who,
                                                                int64_t after_id, uint32_t limit) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  return accounts_.list_audit({.after_id = after_id, .oldest_first = true, .limit = limit});
}

Result<std::vector<meta::Group>> AdminService::list_groups(const Principal& who) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  return accounts_.list_groups();
}

Result<meta::Group> AdminService::get_group(const Principal& who, int64_t group_id) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  return accounts_.get_group(group_id);
}

Result<meta::Group> AdminService::create_group(const Principal& who, std::string_view name,
                                               const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  COFFER_RETURN_IF_ERROR(validate_group_name(name));
  auto group = accounts_.create_group(std::string(name), now_micros());
  COFFER_RETURN_IF_ERROR(group);
  auth_.audit(&who, "admin.group_create", group_target(group->id), "success", origin);
  return group;
}

Status AdminService::delete_group(const Principal& who, int64_t group_id,
                                  const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  COFFER_RETURN_IF_ERROR(accounts_.delete_group(group_id));
  auth_.audit(&who, "admin.group_delete", group_target(group_id), "success", origin);
  return Status::ok();
}

Status AdminService::add_member(const Principal& who, int64_t group_id, int64_t user_id,
                                const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  COFFER_RETURN_IF_ERROR(accounts_.add_group_member(group_id, user_id));
  auth_.audit(&who, "admin.group_add_member", group_target(group_id), "success", origin,
              user_target(user_id));
  return Status::ok();
}

Status AdminService::remove_member(const Principal& who, int64_t group_id, int64_t user_id,
                                   const RequestOrigin& origin) {
  COFFER_RETURN_IF_ERROR(require_admin(who));
  COFFER_RETURN_IF_ERROR(accounts_.remove_group_member(group_id, user_id));
  auth_.audit(&who, "admin.group_remove_member", group_target(group_id), "success", origin,
              user_target(user_id));
  return Status::ok();
}

}  // namespace coffer::service
