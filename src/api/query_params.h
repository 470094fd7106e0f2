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

// Every paged list continues the same way: a page answers `next_cursor` (a string, null on
// the last page) and the next request passes it back as `cursor`. For lists ordered by id the
// cursor is that id; `legacy` names the parameter such a list took before (`before`,
// `after`), still accepted. Errors: kInvalidArgument (not a positive id).
Result<std::optional<int64_t>> id_cursor(const Request& request, std::string_view legacy);

}  // namespace coffer::api
