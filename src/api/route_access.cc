#include "api/route_access.h"

#include "api/api_context.h"

namespace coffer::api {
namespace {

int rank(Role role) {
  switch (role) {
    case Role::kUser:
      return 0;
    case Role::kOperator:
      return 1;
    case Role::kAdmin:
      return 2;
  }
  return 0;
}

Status needs_scope(Scope scope) {
  return Status(Errc::kForbidden, scopes_text(scope) + " scope required");
}

}  // namespace

bool role_reaches(Role role, Role least) { return rank(role) >= rank(least); }

Status check_access(const RouteAccess& access, const Principal& who, std::string_view method) {
  switch (access.credential) {
    case Credential::kNone:
    case Credential::kAny:
      break;
    case Credential::kSession:
      if (who.session_id == 0) {
        return Status(Errc::kForbidden,
                      "this endpoint needs a signed-in session, not an API token");
      }
      break;
    case Credential::kFilesRead:
      if (!who.has(kScopeFilesRead)) return needs_scope(kScopeFilesRead);
      break;
    case Credential::kFilesWrite:
      if (!who.has(kScopeFilesWrite)) return needs_scope(kScopeFilesWrite);
      break;
    case Credential::kFilesByMethod: {
      const Scope scope = is_dav_read_method(method) ? kScopeFilesRead : kScopeFilesWrite;
      if (!who.has(scope)) return needs_scope(scope);
      break;
    }
    case Credential::kAdminScope:
      if (!who.has(kScopeAdmin)) return needs_scope(kScopeAdmin);
      break;
    case Credential::kConsole:
      // Only administrators can mint the admin scope, so operators use these from a session.
      if (who.session_id == 0 && !who.has(kScopeAdmin)) return needs_scope(kScopeAdmin);
      break;
  }
  if (!role_reaches(who.role, access.least_role)) {
    return Status(Errc::kForbidden, access.least_role == Role::kAdmin
                                        ? "administrators only"
                                        : "operators and administrators only");
  }
  return Status::ok();
}

std::string_view credential_name(Credential credential) {
  switch (credential) {
    case Credential::kNone:
      return "none";
    case Credential::kAny:
      return "any";
    case Credential::kSession:
      return "session";
    case Credential::kFilesRead:
      return "files:read";
    case Credential::kFilesWrite:
      return "files:write";
    case Credential::kFilesByMethod:
      return "files:read or files:write by method";
    case Credential::kAdminScope:
      return "admin";
    case Credential::kConsole:
      return "session or admin";
  }
  return "?";
}

}  // namespace coffer::api
