#pragma once
// What administrators do to accounts: list, create, change role/status/quota, reset
// passwords, delete (soft), manage groups, registration settings and invites; and retention
// rules and legal holds on anyone's nodes (admin_retention.cc). Every action is written to
// the audit log. Nothing here reads, lists or downloads another user's files.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/account.h"
#include "core/model.h"
#include "core/retention.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "service/auth_service.h"

namespace coffer::service {

struct CreatedUser {
  User user;
  std::string generated_password;  // set when the admin gave none; shown once
};

struct ServerSettings {
  RegistrationMode registration_mode = RegistrationMode::kClosed;
  bool require_mfa_for_admins = false;
};

struct IssuedSecret {  // a one-time link secret (password reset, invite) and its lifetime
  std::string token;
  int64_t expires_in = 0;
};

// kForbidden unless `who` is an administrator holding the admin scope.
Status require_admin(const Principal& who);

class AdminService {
 public:
  AdminService(meta::Catalog& catalog, AuthService& auth);

  // Every call: errors kForbidden unless `who` holds the admin scope.
  Result<std::vector<User>> list_users(const Principal& who, const meta::UserQuery& query);
  Result<CreatedUser> create_user(const Principal& who, std::string_view username,
                                  std::optional<std::string_view> password, Role role,
                                  const RequestOrigin& origin);
  Result<User> get_user(const Principal& who, int64_t user_id);
  // Errors: kConflict (an admin demoting, disabling or deleting themselves), kNotFound,
  // kLegalHold and kRetentionActive (deleting a user who owns locked nodes).
  Result<User> update_user(const Principal& who, int64_t user_id, const meta::UserChanges& changes,
                           const RequestOrigin& origin);
  // update_user to the status deleted.
  Status delete_user(const Principal& who, int64_t user_id, const RequestOrigin& origin);
  Result<IssuedSecret> issue_password_reset(const Principal& who, int64_t user_id,
                                            const RequestOrigin& origin);

  Result<ServerSettings> settings(const Principal& who);
  Result<ServerSettings> update_settings(const Principal& who,
                                         std::optional<RegistrationMode> registration_mode,
                                         std::optional<bool> require_mfa_for_admins,
                                         const RequestOrigin& origin);
  Result<IssuedSecret> create_invite(const Principal& who, int64_t expires_in_seconds,
                                     const RequestOrigin& origin);

  // The audit log oldest first, from after `after_id`, with its hashes: the export of the
  // tamper-evident trail (docs/archive.md), in pages of at most `limit`.
  Result<std::vector<AuditEvent>> audit_export_page(const Principal& who, int64_t after_id,
                                                    uint32_t limit);

  Result<std::vector<meta::Group>> list_groups(const Principal& who);
  Result<meta::Group> get_group(const Principal& who, int64_t group_id);
  Result<meta::Group> create_group(const Principal& who, std::string_view name,
                                   const RequestOrigin& origin);
  Status delete_group(const Principal& who, int64_t group_id, const RequestOrigin& origin);
  Status add_member(const Principal& who, int64_t group_id, int64_t user_id,
                    const RequestOrigin& origin);
  Status remove_member(const Principal& who, int64_t group_id, int64_t user_id,
                       const RequestOrigin& origin);

  // Retention and legal hold (core/retention.h, docs/archive.md). Errors as RetentionStore.
  Result<std::vector<RetentionRule>> list_retention(const Principal& who);
  Result<RetentionRule> set_retention(const Principal& who, int64_t node_id, Micros retain_until,
                                      const RequestOrigin& origin);
  Status remove_retention(const Principal& who, int64_t node_id, const RequestOrigin& origin);
  Result<std::vector<LegalHold>> list_holds(const Principal& who);
  // Errors also: kInvalidArgument (an empty reason or longer than kMaxHoldReasonBytes).
  Result<LegalHold> place_hold(const Principal& who, int64_t node_id, std::string_view reason,
                               const RequestOrigin& origin);
  Status release_hold(const Principal& who, int64_t node_id, const RequestOrigin& origin);

 private:
  meta::Catalog& catalog_;
  meta::AccountStore& accounts_;
  AuthService& auth_;
};

}  // namespace coffer::service
