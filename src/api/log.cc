#include "api/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

namespace coffer::api {

void init_logging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("coffer");
  // Each message is the inside of a JSON object; the pattern adds time and level first.
  logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void log_event(LogLevel level, const boost::json::object& fields) {
  std::string text = boost::json::serialize(fields);
  // Strip the braces: the pattern supplies them around time and level.
  std::string_view inner(text);
  inner.remove_prefix(1);
  inner.remove_suffix(1);
  switch (level) {
    case LogLevel::kDebug:
      spdlog::debug("{}", inner);
      break;
    case LogLevel::kInfo:
      spdlog::info("{}", inner);
      break;
    case LogLevel::kWarn:
      spdlog::warn("{}", inner);
      break;
    case LogLevel::kError:
      spdlog::error("{}", inner);
      break;
  }
}

}  // namespace coffer::api
