#pragma once
// Who may call a route. Each route declares its access where it is added to the router
// (Router::add), and ApiHandler::dispatch enforces the declaration before the handler runs:
// this table alone decides, no handler checks a role or a scope of its own. The services
// still check what depends on the data (whose file, which share), never the route.

#include <cstdint>
#include <string_view>

#include "core/account.h"
#include "core/model.h"
#include "core/status.h"

namespace coffer::api {

// What a route acts on; decides how an unauthenticated caller is challenged and names the
// route's kind in the authorization tests.
enum class Resource : uint8_t {
  kService,     // health, the API description, the web UI's documents
  kAccount,     // the caller's own sign-in, sessions, tokens, keys, second factor
  kFiles,       // files, folders, versions, trash, tags, search, uploads, activity
  kShares,      // shares and public links, as their owner manages them
  kPublicLink,  // a public link as its visitor uses it (the link is the credential)
  kSyncClient,  // the Nextcloud/ownCloud endpoints: a Basic challenge, as under /dav/
  kUsers,       // accounts, groups, invitations and settings of the whole installation
  kSystem,      // jobs, statistics, metrics, scrubbing
};

// What the caller's credential must hold.
enum class Credential : uint8_t {
  kNone,           // nothing: open to anybody
  kAny,            // any valid credential, whatever its scopes (data filtered by caller)
  kSession,        // a signed-in session; an API token never (a leaked token must not mint
                   // more tokens or change the password)
  kFilesRead,      // the files:read scope
  kFilesWrite,     // the files:write scope
  kFilesByMethod,  // files:read for reading methods, files:write otherwise (the WebDAV tree)
  kAdminScope,     // the admin scope (held by administrators' sessions and admin tokens)
  kConsole,        // a session, or an API token made for administration (the admin scope): a
                   // backup script's files:read token must not read every user's usage
};

struct RouteAccess {
  Resource resource;
  Credential credential;
  Role least_role;  // kUser: any account; kOperator: operators and administrators

  bool is_public() const { return credential == Credential::kNone; }
};

// The declarations routes use; a route with other needs spells out its own RouteAccess.
namespace access {
inline constexpr RouteAccess kOpen{Resource::kService, Credential::kNone, Role::kUser};
inline constexpr RouteAccess kOpenLink{Resource::kPublicLink, Credential::kNone, Role::kUser};
inline constexpr RouteAccess kSignIn{Resource::kAccount, Credential::kNone, Role::kUser};
inline constexpr RouteAccess kSignedIn{Resource::kAccount, Credential::kAny, Role::kUser};
inline constexpr RouteAccess kOwnAccount{Resource::kAccount, Credential::kSession, Role::kUser};
inline constexpr RouteAccess kFilesRead{Resource::kFiles, Credential::kFilesRead, Role::kUser};
inline constexpr RouteAccess kFilesWrite{Resource::kFiles, Credential::kFilesWrite, Role::kUser};
inline constexpr RouteAccess kSharesRead{Resource::kShares, Credential::kFilesRead, Role::kUser};
inline constexpr RouteAccess kSharesWrite{Resource::kShares, Credential::kFilesWrite, Role::kUser};
inline constexpr RouteAccess kAdministration{Resource::kUsers, Credential::kAdminScope,
                                             Role::kAdmin};
inline constexpr RouteAccess kOperations{Resource::kSystem, Credential::kConsole, Role::kOperator};
inline constexpr RouteAccess kSyncClientRead{Resource::kSyncClient, Credential::kFilesRead,
                                             Role::kUser};
inline constexpr RouteAccess kSyncClientOpen{Resource::kSyncClient, Credential::kNone, Role::kUser};
inline constexpr RouteAccess kWebDav{Resource::kFiles, Credential::kFilesByMethod, Role::kUser};
}  // namespace access

// Whether `role` is `least` or above it (user < operator < administrator).
bool role_reaches(Role role, Role least);

// Ok when `who` may call a route declared `access` with `method`; else kForbidden saying
// what is missing. Never called for public routes.
Status check_access(const RouteAccess& access, const Principal& who, std::string_view method);

// "files:read", "session", "admin" …: the credential's name in docs and tests.
std::string_view credential_name(Credential credential);

}  // namespace coffer::api
