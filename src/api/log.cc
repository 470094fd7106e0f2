#include "api/log.h"

#include "api/exchange.h"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <random>

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

bool is_safe_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id) {
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.' && c != ':') return false;
  }
  return true;
}

std::string new_request_id() {
  // A per-process random prefix and a counter: unique, cheap, and not a secret.
  static const uint64_t prefix = std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32);
  static std::atomic<uint64_t> counter{0};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%012llx-%08llx",
                static_cast<unsigned long long>(prefix & 0xffffffffffffULL),
                static_cast<unsigned long long>(++counter));
  return buf;
}

void log_exchange(const Request& request, const ExchangeRecord& record) {
  // The route pattern, never the target or headers: they may carry secrets (signed URLs,
  // tokens) or names.
  boost::json::object line{{"msg", "request"},
                           {"request_id", request.request_id},
                           {"method", request.method},
                           {"route", request.route.empty() ? "unmatched" : request.route},
                           {"status", record.status},
                           {"bytes_in", record.bytes_in},
                           {"bytes_out", record.bytes_out},
                           {"duration_ms", record.seconds * 1000.0},
                           {"remote", request.remote_address}};
  if (request.user_id != 0) line["user_id"] = request.user_id;
  if (record.aborted) line["aborted"] = true;
  log_event(LogLevel::kInfo, line);
}

}  // namespace coffer::api
