#pragma once
// Query-string parameters of a request target.

#include <optional>
#include <string>
#include <string_view>

#include "api/exchange.h"

namespace coffer::api {

// The decoded value of the first parameter `key`, or nullopt when absent (or the target is
// malformed, which the router has already refused).
std::optional<std::string> query_param(const Request& request, std::string_view key);

}  // namespace coffer::api
