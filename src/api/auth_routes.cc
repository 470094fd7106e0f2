// Authentication: /api/v1/auth/*.

#include <boost/json.hpp>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

Response login(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return error_response(request.request_id, body.status());
  auto username = optional_string(*body, "username");
  auto password = optional_string(*body, "password");
  if (!username.is_ok() || !password.is_ok() || !*username || !*password) {
    return error_response(request.request_id, Status(Errc::kInvalidArgument,
                                                     "username and password are required strings"));
  }
  auto token = ctx.auth.login(**username, **password);
  if (!token.is_ok()) return error_response(request.request_id, token.status());
  return json_response(200, json::object{{"access_token", token->access_token},
                                         {"token_type", "Bearer"},
                                         {"expires_in", token->expires_in}});
}

Response me(ApiContext& ctx, Request& request) {
  auto user = ctx.catalog.find_user(request.user_id);
  if (!user.is_ok()) return error_response(request.request_id, user.status());
  return json_response(200, json::object{{"id", user->id},
                                         {"username", user->username},
                                         {"role", role_name(user->role)},
                                         {"root_id", user->root_id},
                                         {"created", rfc3339(user->created)}});
}

}  // namespace

void add_auth_routes(Router& router, ApiContext& ctx) {
  router.add("POST", "/api/v1/auth/login", [&ctx](Request& r) { return login(ctx, r); });
  router.add("GET", "/api/v1/auth/me", [&ctx](Request& r) { return me(ctx, r); });
}

}  // namespace coffer::api
