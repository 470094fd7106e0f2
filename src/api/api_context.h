#pragma once
// What route handlers may use. Handlers are thin: parse the request, call a service, shape
// the response. Authorization lives in the services (and, for sharing, in one policy).

#include "api/metrics.h"
#include "api/router.h"
#include "auth/url_signer.h"
#include "meta/catalog.h"
#include "service/admin_service.h"
#include "service/auth_service.h"
#include "service/file_service.h"
#include "service/search_service.h"
#include "store/chunk_store.h"

namespace coffer::api {

struct ApiContext {
  service::FileService& files;
  service::AuthService& auth;
  service::AdminService& admin;
  service::SearchService& search;
  meta::Catalog& catalog;
  store::ChunkStore& chunks;
  Metrics& metrics;
  const auth::UrlSigner& url_signer;  // signed download URLs
  std::string data_dir;               // for the readiness check
  // Browser session cookies carry Secure; only plain-http development turns it off.
  bool secure_cookies = true;
  // A client deleting more nodes than this within a minute is flagged in the audit log
  // (0: never).
  int64_t mass_delete_threshold = 100;
};

// Adapts a plain route function to a RouteHandler bound to `context`.
inline RouteHandler bind_route(ApiContext& context, Response (*fn)(ApiContext&, Request&)) {
  return [&context, fn](Request& request) { return fn(context, request); };
}

// Where a request came from, for sessions and audit events.
inline RequestOrigin origin_of(const Request& request) {
  return RequestOrigin{request.remote_address, std::string(request.header("User-Agent")),
                       request.request_id};
}

// Each registers one group of routes. ORDER: literal segments before parameters.
void add_system_routes(Router& router, ApiContext& context);
void add_auth_routes(Router& router, ApiContext& context);
void add_file_routes(Router& router, ApiContext& context);
void add_account_routes(Router& router, ApiContext& context);
void add_admin_routes(Router& router, ApiContext& context);
void add_trash_routes(Router& router, ApiContext& context);
void add_search_routes(Router& router, ApiContext& context);

// Routes that need no access token.
bool is_public_route(std::string_view pattern);

}  // namespace coffer::api
