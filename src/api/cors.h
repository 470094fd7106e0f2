#pragma once
// Cross-origin resource sharing, off unless origins are configured. With no origins the API
// sends no CORS header at all, so browsers keep every other site's pages out. With origins,
// a request whose Origin matches one of them exactly gets the Access-Control-* headers, and
// its preflight (OPTIONS with Access-Control-Request-Method) is answered before routing.
// Credentials (the refresh cookie) are allowed only for listed origins, never with "*".

#include <string>
#include <string_view>
#include <vector>

#include "api/exchange.h"
#include "core/status.h"

namespace coffer::api {

class CorsPolicy {
 public:
  // No origin allowed.
  CorsPolicy() = default;
  // Each origin is "*" (any origin, without credentials) or scheme://host[:port] with an
  // http or https scheme and nothing after the authority. Errors: kInvalidArgument.
  static Result<CorsPolicy> from_origins(const std::vector<std::string>& origins);

  bool enabled() const { return any_origin_ || !origins_.empty(); }
  // An OPTIONS request with Access-Control-Request-Method from an allowed origin.
  bool is_preflight(const Request& request) const;
  // 204 with the allowed methods and headers; REQUIRES: is_preflight(request).
  Response preflight(const Request& request) const;
  // Adds `Vary: Origin` when enabled and, for an allowed Origin, the headers that let the
  // page read the response.
  void decorate(const Request& request, Response& response) const;

 private:
  bool allows(std::string_view origin) const;
  void add_origin_headers(std::string_view origin, Response& response) const;

  bool any_origin_ = false;
  std::vector<std::string> origins_;
};

}  // namespace coffer::api
