#pragma once
// Query-string parameters of a request target.

#include <optional>
#include <string>
#include <string_view>

#include "api/exchange.h"
#include "core/status.h"

namespace coffer::api {

// The decoded value of the first parameter `key`, or nullopt when absent (or the target is
// malformed, which the router has already refused).
std::optional<std::string> query_param(const Request& request, std::string_view key);

// The integer parameter `key` in [min, max], or `fallback` when absent. Errors:
// kInvalidArgument (not a decimal integer, or out of range), naming the parameter.
Result<int64_t> int_query_param(const Request& request, std::string_view key, int64_t min,
                                int64_t max, int64_t fallback);

}  // namespace coffer::api
