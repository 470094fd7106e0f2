// File activity: GET /api/v1/nodes/{id}/activity (anyone who may read the node) and
// GET /api/v1/activity (the caller's own tree). Who may read is service::ActivityLog's
// question to the AccessPolicy, as for every file route. And the change feed built on it:
// GET /api/v1/changes (service::ChangeFeed).

#include <charconv>
#include <chrono>

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
  auto before = id_cursor(request, "before");
  COFFER_RETURN_IF_ERROR(before);
  if (*before) page.before = **before;
  return page;
}

// {"items": [...], "next_cursor": "id" or null}: ask again with cursor=next_cursor for older
// (and "next_before", the same id as a number, which clients read before next_cursor was).
Response page_response(const Result<std::vector<ActivityEvent>>& events, const ActivityPage& page,
                       const Request& request) {
  if (!events.is_ok()) return fail(request, events.status());
  json::array items;
  for (const ActivityEvent& e : *events) items.push_back(event_json(e));
  const bool full = static_cast<int64_t>(events->size()) == page.limit;
  return json_response(
      200, json::object{
               {"items", std::move(items)},
               {"next_cursor", full ? json::value(std::to_string(events->back().id))
                                    : json::value(nullptr)},
               {"next_before", full ? json::value(events->back().id) : json::value(nullptr)}});
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

// The change feed's cursor: "{event id}.{unix seconds}" (service::FeedPosition; clients treat
// it as opaque). Seconds round down, which can only make a cursor expire a moment sooner.
std::string cursor_text(const service::FeedPosition& p) {
  return std::to_string(p.id) + "." + std::to_string(p.at / kMicrosPerSecond);
}

Result<service::FeedPosition> parse_cursor(std::string_view text) {
  Status malformed(Errc::kInvalidArgument, "malformed cursor: use the cursor an answer gave");
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return malformed;
  auto number = [](std::string_view digits, int64_t& out) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return !digits.empty() && ec == std::errc() && end == digits.data() + digits.size() && out >= 0;
  };
  int64_t id = 0;
  int64_t seconds = 0;
  if (!number(text.substr(0, dot), id) || !number(text.substr(dot + 1), seconds) ||
      seconds > INT64_MAX / kMicrosPerSecond) {
    return malformed;
  }
  return service::FeedPosition{id, seconds * kMicrosPerSecond};
}

constexpr int64_t kDefaultChanges = 500;
constexpr int64_t kMaxChanges = 1000;
constexpr int64_t kMaxWaitSeconds = 60;

Response changes_response(const service::ChangePage& page) {
  json::array items;
  for (const service::Change& c : page.changes) {
    json::object item = event_json(c.event);
    item["type"] = service::change_kind_name(c.kind);
    items.push_back(std::move(item));
  }
  return json_response(200, json::object{{"items", std::move(items)},
                                         {"cursor", cursor_text(page.next)},
                                         {"has_more", page.more}});
}

// Without a cursor: where to start following. With one: what changed since, oldest first; with
// wait=N and nothing to say, the answer waits up to N seconds for a change (Park: no thread
// is held meanwhile, the handler runs again when something was stored).
Response changes(ApiContext& ctx, Request& request) {
  if (ctx.changes == nullptr) return fail(request, no_activity());
  auto limit = int_query_param(request, "limit", 1, kMaxChanges, kDefaultChanges);
  if (!limit.is_ok()) return fail(request, limit.status());
  auto wait = int_query_param(request, "wait", 0, kMaxWaitSeconds, 0);
  if (!wait.is_ok()) return fail(request, wait.status());
  std::optional<std::string> cursor = query_param(request, "cursor");
  if (!cursor) {
    auto latest = ctx.changes->latest();
    if (!latest.is_ok()) return fail(request, latest.status());
    return changes_response(service::ChangePage{{}, *latest, false});
  }
  auto from = parse_cursor(*cursor);
  if (!from.is_ok()) return fail(request, from.status());

  // Read the signal before looking: a change stored in between then wakes the poll at once.
  const uint64_t seen = ctx.changes->signal().version();
  auto page = ctx.changes->after(request.user_id, *from, static_cast<int>(*limit));
  if (!page.is_ok()) return fail(request, page.status());
  if (page->changes.empty() && !page->more && *wait > 0) {
    using Clock = std::chrono::steady_clock;
    const Clock::time_point now = Clock::now();
    if (!request.poll_deadline) request.poll_deadline = now + std::chrono::seconds(*wait);
    if (now < *request.poll_deadline) {
      Clock::duration left = *request.poll_deadline - now;
      const std::chrono::milliseconds recheck = ctx.changes->recheck();
      if (recheck < std::chrono::duration_cast<std::chrono::milliseconds>(left)) left = recheck;
      Response parked;
      parked.park = Park{&ctx.changes->signal(), seen, left};
      return parked;
    }
  }
  return changes_response(*page);
}

}  // namespace

void add_activity_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/changes", access::kFilesRead, bind_route(ctx, changes));
  router.add("GET", "/api/v1/activity", access::kFilesRead, bind_route(ctx, own_activity));
  router.add("GET", "/api/v1/nodes/{id}/activity", access::kFilesRead,
             bind_route(ctx, node_activity));
}

}  // namespace coffer::api
