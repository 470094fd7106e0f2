#pragma once
// JSON log lines: one object per line on stderr, {"ts":...,"level":...,"msg":...,...}.
// Callers pass structured fields; nothing secret (passwords, tokens, keys) ever goes in.

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace coffer::api {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Configures the process-wide logger. `level` is "debug", "info", "warn" or "error".
void init_logging(const std::string& level);

void log_event(LogLevel level, const boost::json::object& fields);

struct Request;
struct ExchangeRecord;
// The access log line of one finished exchange: its route (the pattern, never the target or
// headers, which may carry secrets or names), status, sizes and duration.
void log_exchange(const Request& request, const ExchangeRecord& record);

// Request ids: a client's X-Request-Id is kept when it is short and made of safe characters
// (it goes into logs and answers); otherwise the server makes one, unique per process run.
bool is_safe_request_id(std::string_view id);
std::string new_request_id();

}  // namespace coffer::api
