// File activity: GET /api/v1/nodes/{id}/activity (anyone who may read the node) and
// GET /api/v1/activity (the caller's own tree). Who may read is service::ActivityLog's
// question to the AccessPolicy, as for every file route.

#include <boost/json.hpp>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/query_params.h"
#include "core/activity.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

constexpr int64_t kDefaultLimit = 50;
constexpr int64_t kMaxLimit = 200;

json::object event_json(const ActivityEvent& e) {
  // Written by the service as an object; anything else is shown as none rather than failing.
  json::value detail = json::object();
  json::error_code ec;
  json::value parsed = json::parse(e.detail_json, ec);
  if (!ec && parsed.is_object()) detail = std::move(parsed);
  return json::object{
      {"id", e.id},
      {"at", rfc3339(e.at)},
      {"actor", json::object{{"id", e.actor_id}, {"username", e.actor_name}}},
      {"action", e.action},
      {"node_id", e.node_id},
      {"parent_id", e.parent_id != 0 ? json::value(e.parent_id) : json::value(nullptr)},
      {"name", e.name},
      {"detail", std::move(detail)}};
}

Result<ActivityPage> page_of(const Request& request) {
  ActivityPage page;
  auto limit = int_query_param(request, "limit", 1, kMaxLimit, kDefaultLimit);
  COFFER_RETURN_IF_ERROR(limit);
  page.limit = static_cast<int>(*limit);
  if (query_param(request, "before")) {
    auto before = int_query_param(request, "before", 1, INT64_MAX, 0);
    COFFER_RETURN_IF_ERROR(before);
    page.before = *before;
  }
  return page;
}

// {"items": [...], "next_before": id or null}: ask again with before=next_before for older.
Response page_response(const Result<std::vector<ActivityEvent>>& events, const ActivityPage& page,
                       const Request& request) {
  if (!events.is_ok()) return fail(request, events.status());
  json::array items;
  for (const ActivityEvent& e : *events) items.push_back(event_json(e));
  const bool full = static_cast<int64_t>(events->size()) == page.limit;
  return json_response(200, json::object{{"items", std::move(items)},
                                         {"next_before", full ? json::value(events->back().id)
                                                              : json::value(nullptr)}});
}

Status no_activity() { return Status(Errc::kUnavailable, "activity is not recorded here"); }

Response node_activity(ApiContext& ctx, Request& request) {
  if (ctx.activity == nullptr) return fail(request, no_activity());
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto page = page_of(request);
  if (!page.is_ok()) return fail(request, page.status());
  return page_response(ctx.activity->node_activity(request.user_id, *id, *page), *page, request);
}

Response own_activity(ApiContext& ctx, Request& request) {
  if (ctx.activity == nullptr) return fail(request, no_activity());
  auto page = page_of(request);
  if (!page.is_ok()) return fail(request, page.status());
  return page_response(ctx.activity->own_activity(request.user_id, *page), *page, request);
}

}  // namespace

void add_activity_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/activity", bind_route(ctx, own_activity));
  router.add("GET", "/api/v1/nodes/{id}/activity", bind_route(ctx, node_activity));
}

}  // namespace coffer::api
