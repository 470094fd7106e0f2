#pragma once
// The OpenAPI 3.1 description of every route (src/api/openapi.json, embedded at build time).

#include <string_view>

namespace coffer::api {

std::string_view openapi_document();

}  // namespace coffer::api
