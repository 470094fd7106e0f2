#pragma once
// Maps a method and a decoded path to a handler. Patterns are literal segments and
// "{param}" segments that match exactly one non-empty segment, e.g.
// "/api/v1/folders/{id}/files/{name}". A path that exists with another method yields 405.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/exchange.h"
#include "api/route_access.h"

namespace coffer::api {

using RouteHandler = std::function<Response(Request&)>;

struct RouteInfo {
  std::string method;
  std::string pattern;
  RouteAccess access;
};

class Router {
 public:
  // Every route declares who may call it (route_access.h); dispatch enforces it.
  void add(std::string method, std::string pattern, RouteAccess access, RouteHandler handler);

  enum class MatchKind { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    MatchKind kind = MatchKind::kNotFound;
    const RouteHandler* handler = nullptr;
    const RouteAccess* access = nullptr;
    std::string pattern;
    std::vector<std::pair<std::string, std::string>> params;
    std::string allowed;  // "GET, HEAD" for 405 responses
  };
  // `segments` are the percent-decoded path segments.
  Match match(std::string_view method, const std::vector<std::string>& segments) const;

  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" for parameters
    RouteAccess access;
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace coffer::api
