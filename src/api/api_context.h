#pragma once
// What route handlers may use. Handlers are thin: parse the request, call a service, shape
// the response. Authorization lives in the services (and, for sharing, in one policy).

#include "api/metrics.h"
#include "api/router.h"
#include "meta/catalog.h"
#include "service/auth_service.h"
#include "service/file_service.h"
#include "store/chunk_store.h"

namespace coffer::api {

struct ApiContext {
  service::FileService& files;
  service::AuthService& auth;
  meta::Catalog& catalog;
  store::ChunkStore& chunks;
  Metrics& metrics;
  std::string data_dir;  // for the readiness check
};

// Adapts a plain route function to a RouteHandler bound to `context`.
inline RouteHandler bind_route(ApiContext& context, Response (*fn)(ApiContext&, Request&)) {
  return [&context, fn](Request& request) { return fn(context, request); };
}

// Each registers one group of routes. ORDER: literal segments before parameters.
void add_system_routes(Router& router, ApiContext& context);
void add_auth_routes(Router& router, ApiContext& context);
void add_file_routes(Router& router, ApiContext& context);

// Routes that need no access token.
bool is_public_route(std::string_view pattern);

}  // namespace coffer::api
