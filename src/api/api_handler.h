#pragma once
// The root request handler: request ids, authentication, routing, security headers, JSON
// errors, access logs and metrics. Everything specific to one endpoint lives in the route
// files (system_routes.cc, auth_routes.cc, file_routes.cc).

#include <memory>

#include "api/api_context.h"
#include "api/exchange.h"
#include "api/router.h"

namespace coffer::api {

class ApiHandler : public Handler {
 public:
  explicit ApiHandler(ApiContext context);

  Response handle(Request& request) override;
  Response error_response(const Request& request, int http_status, Errc code,
                          std::string_view message) override;
  void on_complete(const Request& request, const ExchangeRecord& record) override;

  const Router& router() const { return router_; }

 private:
  Response dispatch(Request& request);

  ApiContext context_;
  Router router_;
};

}  // namespace coffer::api
