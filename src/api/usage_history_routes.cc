// Storage usage over time: GET /api/v1/system/stats/history for operators and admins (the
// installation, with deduplication and compression ratios) and GET /api/v1/usage/history for
// the caller's own used bytes. Daily points sampled by the server (docs/insights.md).

#include <boost/json.hpp>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/query_params.h"
#include "core/usage_history.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

constexpr int64_t kDefaultDays = 30;
constexpr int64_t kMaxDays = 400;

// The days [today - days + 1, today].
Result<std::pair<Day, Day>> window_of(const Request& request) {
  auto days = int_query_param(request, "days", 1, kMaxDays, kDefaultDays);
  COFFER_RETURN_IF_ERROR(days);
  const Day today = day_of(now_micros());
  return std::pair<Day, Day>{today - *days + 1, today};
}

double ratio(int64_t a, int64_t b) { return b > 0 ? static_cast<double>(a) / b : 1.0; }

Response system_history(ApiContext& ctx, Request& request) {
  auto window = window_of(request);
  if (!window.is_ok()) return fail(request, window.status());
  auto samples = ctx.catalog.usage_history().storage_history(window->first, window->second);
  if (!samples.is_ok()) return fail(request, samples.status());
  json::array points;
  for (const StorageSample& s : *samples) {
    points.push_back(json::object{{"day", day_name(s.day)},
                                  {"logical_bytes", s.logical_bytes},
                                  {"unique_bytes", s.unique_bytes},
                                  {"physical_bytes", s.physical_bytes},
                                  {"chunks", s.chunks},
                                  {"files", s.files},
                                  {"dedup_ratio", ratio(s.logical_bytes, s.unique_bytes)},
                                  {"compression_ratio", ratio(s.unique_bytes, s.physical_bytes)}});
  }
  // Each user's usage on the newest sampled day: what the per-user chart shows.
  json::array users;
  if (!samples->empty()) {
    auto latest = ctx.catalog.usage_history().users_on(samples->back().day);
    if (!latest.is_ok()) return fail(request, latest.status());
    for (const UserUsageSample& u : *latest) {
      users.push_back(json::object{{"id", u.user_id},
                                   {"username", u.username},
                                   {"used_bytes", u.used_bytes},
                                   {"files", u.files}});
    }
  }
  return json_response(200, json::object{{"days", window->second - window->first + 1},
                                         {"points", std::move(points)},
                                         {"users", std::move(users)}});
}

Response own_history(ApiContext& ctx, Request& request) {
  auto window = window_of(request);
  if (!window.is_ok()) return fail(request, window.status());
  auto samples =
      ctx.catalog.usage_history().user_history(request.user_id, window->first, window->second);
  if (!samples.is_ok()) return fail(request, samples.status());
  json::array points;
  for (const UserUsageSample& s : *samples) {
    points.push_back(
        json::object{{"day", day_name(s.day)}, {"used_bytes", s.used_bytes}, {"files", s.files}});
  }
  return json_response(200, json::object{{"days", window->second - window->first + 1},
                                         {"points", std::move(points)}});
}

}  // namespace

void add_usage_history_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/system/stats/history", access::kOperations,
             bind_route(ctx, system_history));
  router.add("GET", "/api/v1/usage/history", access::kFilesRead, bind_route(ctx, own_history));
}

}  // namespace coffer::api
