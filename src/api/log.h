#pragma once
// JSON log lines: one object per line on stderr, {"ts":...,"level":...,"msg":...,...}.
// Callers pass structured fields; nothing secret (passwords, tokens, keys) ever goes in.

#include <boost/json/object.hpp>

namespace coffer::api {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Configures the process-wide logger. `level` is "debug", "info", "warn" or "error".
void init_logging(const std::string& level);

void log_event(LogLevel level, const boost::json::object& fields);

}  // namespace coffer::api
