// Every route declares who may call it, and the declarations follow the rules of
// docs/security.md: the route table is walked here, so a route added without the right
// declaration fails this test rather than shipping open.

#include "api/route_access.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api_fixture.h"

namespace coffer::api {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.starts_with(prefix); }

// The routes anybody may call. A new public route is a decision: add it here on purpose.
const std::set<std::string> kPublicRoutes = {
    "GET /health/live",
    "GET /health/ready",
    "GET /status.php",
    "GET /api/v1/openapi.json",
    "GET /.well-known/jwks.json",
    "GET /docs",
    "GET /docs/{asset}",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/password-reset",
    "GET /api/v1/download/{token}",
    "GET /s/{token}",
    "POST /s/{token}/unlock",
    "GET /s/{token}/content",
    "GET /s/{token}/children",
    "GET /s/{token}/files/{id}/content",
    "PUT /s/{token}/files/{name}",
    "GET /s/{token}/zip",
    "POST /index.php/login/v2",
    "POST /index.php/login/v2/poll",
    "GET /index.php/login/v2/flow/{token}",
    "POST /index.php/login/v2/flow/{token}",
    "OPTIONS /api/v1/uploads",
    "OPTIONS /api/v1/uploads/{id}",
};

// Routes that read although their method is not GET: minting a download URL grants no more
// than reading the file does.
const std::set<std::string> kReadingPosts = {"POST /api/v1/files/{id}/download-url"};

// The tus HEAD asks where an upload stands: a read.
bool is_reading_method(const std::string& method) { return method == "GET" || method == "HEAD"; }

TEST(RouteAccess, EveryRouteDeclaresTheAccessItsKindNeeds) {
  ApiFixture fixture;
  const auto routes = fixture.handler().router().routes();
  ASSERT_GT(routes.size(), 100u);
  std::set<std::string> public_found;
  for (const RouteInfo& route : routes) {
    const std::string name = route.method + " " + route.pattern;
    const RouteAccess& access = route.access;
    SCOPED_TRACE(name + " declares " + std::string(credential_name(access.credential)));
    if (access.is_public()) {
      EXPECT_TRUE(kPublicRoutes.contains(name)) << "public but not listed as public";
      EXPECT_EQ(access.least_role, Role::kUser);
      public_found.insert(name);
      continue;
    }
    EXPECT_FALSE(kPublicRoutes.contains(name)) << "listed as public but needs a credential";
    const std::string& p = route.pattern;
    if (starts_with(p, "/api/v1/admin/")) {
      EXPECT_EQ(access.resource, Resource::kUsers);
      EXPECT_EQ(access.credential, Credential::kAdminScope);
      EXPECT_EQ(access.least_role, Role::kAdmin);
    } else if (starts_with(p, "/api/v1/system/") || p == "/metrics") {
      EXPECT_EQ(access.resource, Resource::kSystem);
      EXPECT_EQ(access.credential, Credential::kConsole);
      EXPECT_EQ(access.least_role, Role::kOperator);
    } else if (starts_with(p, "/api/v1/auth/") && p != "/api/v1/auth/me") {
      EXPECT_EQ(access.resource, Resource::kAccount);
      EXPECT_EQ(access.credential, Credential::kSession);
    } else if (p == "/api/v1/auth/me" || p == "/api/v1/audit") {
      // Answers about the caller alone, whatever the credential's scopes.
      EXPECT_EQ(access.credential, Credential::kAny);
    } else {
      // Everything else is a user's files, shares or sync-client endpoints: any account, a
      // files scope that matches what the route does.
      EXPECT_EQ(access.least_role, Role::kUser);
      const bool reads = is_reading_method(route.method) || kReadingPosts.contains(name);
      EXPECT_EQ(access.credential, reads ? Credential::kFilesRead : Credential::kFilesWrite);
      if (starts_with(p, "/ocs/") || starts_with(p, "/index.php/")) {
        EXPECT_EQ(access.resource, Resource::kSyncClient);
      }
    }
  }
  EXPECT_EQ(public_found, kPublicRoutes) << "a listed public route is gone or renamed";
}

Principal session_of(Role role) {
  Principal who;
  who.user_id = 1;
  who.role = role;
  who.session_id = 9;
  who.scopes = kScopeFilesRead | kScopeFilesWrite | (role == Role::kAdmin ? kScopeAdmin : 0);
  return who;
}

Principal token_with(uint32_t scopes, Role role = Role::kUser) {
  Principal who;
  who.user_id = 1;
  who.role = role;
  who.api_token_id = 5;
  who.scopes = scopes;
  return who;
}

TEST(RouteAccess, ScopesAndRolesDecide) {
  const Principal user = session_of(Role::kUser);
  const Principal operator_session = session_of(Role::kOperator);
  const Principal admin = session_of(Role::kAdmin);
  const Principal reader = token_with(kScopeFilesRead);

  EXPECT_TRUE(check_access(access::kFilesRead, reader, "GET").is_ok());
  const Status refused = check_access(access::kFilesWrite, reader, "PUT");
  EXPECT_EQ(refused.code(), Errc::kForbidden);
  EXPECT_EQ(refused.message(), "files:write scope required");

  // WebDAV: the method decides the scope.
  EXPECT_TRUE(check_access(access::kWebDav, reader, "PROPFIND").is_ok());
  EXPECT_EQ(check_access(access::kWebDav, reader, "MOVE").code(), Errc::kForbidden);

  // Account management needs a session: a leaked token must not mint more tokens.
  EXPECT_TRUE(check_access(access::kOwnAccount, user, "POST").is_ok());
  EXPECT_EQ(check_access(access::kOwnAccount, token_with(kAllScopes, Role::kAdmin), "POST").code(),
            Errc::kForbidden);
  EXPECT_TRUE(
      check_access(access::kSignedIn, token_with(kScopeAdmin, Role::kAdmin), "GET").is_ok());

  // Operations: operators and administrators, from a session or an admin-scoped token.
  EXPECT_TRUE(check_access(access::kOperations, operator_session, "GET").is_ok());
  EXPECT_TRUE(check_access(access::kOperations, admin, "GET").is_ok());
  EXPECT_EQ(check_access(access::kOperations, user, "GET").message(),
            "operators and administrators only");
  EXPECT_EQ(
      check_access(access::kOperations, token_with(kScopeFilesRead, Role::kAdmin), "GET").message(),
      "admin scope required");
  EXPECT_TRUE(
      check_access(access::kOperations, token_with(kScopeAdmin, Role::kAdmin), "GET").is_ok());

  // Administration: the admin scope and the administrator's role.
  EXPECT_TRUE(check_access(access::kAdministration, admin, "POST").is_ok());
  EXPECT_EQ(check_access(access::kAdministration, operator_session, "GET").code(),
            Errc::kForbidden);
  // A token minted with the admin scope by someone no longer an administrator.
  EXPECT_EQ(
      check_access(access::kAdministration, token_with(kScopeAdmin, Role::kUser), "GET").message(),
      "administrators only");
}

}  // namespace
}  // namespace coffer::api
