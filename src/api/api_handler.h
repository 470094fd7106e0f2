#pragma once
// The root request handler: request ids, CORS, rate limits, authentication, routing, security
// headers, JSON errors, access logs and metrics. Everything specific to one endpoint lives in the
// route files (system_routes.cc, auth_routes.cc, file_routes.cc).

#include <memory>
#include <optional>
#include <string>

#include "api/api_context.h"
#include "api/cors.h"
#include "api/exchange.h"
#include "api/router.h"
#include "service/rate_limiter.h"

namespace coffer::api {

// Request rates, enforced before any handler runs (health and metrics are exempt). A signed-in
// caller spends from the bucket of its user; anonymous requests, and requests whose credential
// fails, spend from the bucket of the client address (an IPv6 address counts by its /64).
// The defaults are off; `coffer serve` turns them on (src/app/config.h).
struct RequestLimits {
  service::RateLimit per_user;
  service::RateLimit per_address;
};

class ApiHandler : public Handler {
 public:
  explicit ApiHandler(ApiContext context, RequestLimits limits = {}, CorsPolicy cors = {});

  Response handle(Request& request) override;
  Response error_response(const Request& request, int http_status, Errc code,
                          std::string_view message) override;
  void on_complete(const Request& request, const ExchangeRecord& record) override;

  const Router& router() const { return router_; }

 private:
  Response dispatch(Request& request);
  // A 429 response when `key`'s bucket in `limiter` is empty.
  std::optional<Response> rate_limited(const Request& request, service::RateLimiter& limiter,
                                       const std::string& key);
  std::optional<Response> address_rate_limited(const Request& request);

  ApiContext context_;
  Router router_;
  CorsPolicy cors_;
  service::RateLimiter user_limiter_;
  service::RateLimiter address_limiter_;
  RouteHandler dav_handler_;  // everything under /dav/
};

}  // namespace coffer::api
