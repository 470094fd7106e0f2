#include "api/query_params.h"

#include <boost/url/parse.hpp>
#include <charconv>

namespace coffer::api {

std::optional<std::string> query_param(const Request& request, std::string_view key) {
  auto url = boost::urls::parse_origin_form(request.target);
  if (!url) return std::nullopt;
  auto params = url->params();
  auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  return std::string((*it).value);
}

Result<int64_t> int_query_param(const Request& request, std::string_view key, int64_t min,
                                int64_t max, int64_t fallback) {
  auto text = query_param(request, key);
  if (!text) return fallback;
  int64_t value = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || p != text->data() + text->size() || value < min || value > max) {
    return Status(Errc::kInvalidArgument, std::string(key) + " must be an integer from " +
                                              std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

Result<std::optional<int64_t>> id_cursor(const Request& request, std::string_view legacy) {
  const std::string_view key = query_param(request, "cursor") ? "cursor" : legacy;
  if (!query_param(request, key)) return std::optional<int64_t>();
  auto id = int_query_param(request, key, 1, INT64_MAX, 0);
  COFFER_RETURN_IF_ERROR(id);
  return std::optional<int64_t>(*id);
}

}  // namespace coffer::api
