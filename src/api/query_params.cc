#include "api/query_params.h"

#include <boost/url/parse.hpp>

namespace coffer::api {

std::optional<std::string> query_param(const Request& request, std::string_view key) {
  auto url = boost::urls::parse_origin_form(request.target);
  if (!url) return std::nullopt;
  auto params = url->params();
  auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  return std::string((*it).value);
}

}  // namespace coffer::api
