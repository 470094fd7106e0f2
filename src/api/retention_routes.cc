// Retention and legal hold for administrators: /api/v1/admin/retention and
// /api/v1/admin/legal-holds (the admin scope, checked by ApiHandler; the role by
// AdminService). Nodes are named by id; no route here shows a name or a byte of content.

#include <boost/json.hpp>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

json::object rule_json(const RetentionRule& r, Micros now) {
  return json::object{{"node_id", r.node_id},
                      {"owner_id", r.owner_id},
                      {"retain_until", rfc3339(r.retain_until)},
                      {"active", retention_active(r.retain_until, now)},
                      {"set_by", r.set_by},
                      {"set_at", rfc3339(r.set_at)}};
}

json::object hold_json(const LegalHold& h) {
  return json::object{{"node_id", h.node_id},
                      {"owner_id", h.owner_id},
                      {"reason", h.reason},
                      {"set_by", h.set_by},
                      {"set_at", rfc3339(h.set_at)}};
}

Response list_retention(ApiContext& ctx, Request& request) {
  auto rules = ctx.admin.list_retention(request.principal);
  if (!rules.is_ok()) return fail(request, rules.status());
  const Micros now = now_micros();
  json::array items;
  for (const RetentionRule& r : *rules) items.push_back(rule_json(r, now));
  return json_response(200, json::object{{"items", std::move(items)}});
}

// {"retain_until": RFC 3339} or {"days": N} (from now): exactly one of them.
Result<Micros> retention_date(const json::object& body, Micros now) {
  for (const auto& [key, value] : body) {
    if (key != "retain_until" && key != "days") {
      return Status(Errc::kInvalidArgument, "only retain_until or days can be given");
    }
  }
  auto until = optional_string(body, "retain_until");
  auto days = optional_int(body, "days");
  if (!until.is_ok() || !days.is_ok() || until->has_value() == days->has_value()) {
    return Status(Errc::kInvalidArgument,
                  "give retain_until (RFC 3339) or days (a whole number), not both");
  }
  if (*until) {
    auto parsed = parse_rfc3339(**until);
    if (!parsed) return Status(Errc::kInvalidArgument, "retain_until must be RFC 3339 (UTC)");
    return *parsed;
  }
  if (**days <= 0 || **days > kMaxRetentionDays) {
    return Status(Errc::kInvalidArgument, "days must be 1 to " + std::to_string(kMaxRetentionDays));
  }
  return now + **days * 86400 * kMicrosPerSecond;
}

Response set_retention(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("node_id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  const Micros now = now_micros();
  auto until = retention_date(*body, now);
  if (!until.is_ok()) return fail(request, until.status());
  auto rule = ctx.admin.set_retention(request.principal, *id, *until, origin_of(request));
  if (!rule.is_ok()) return fail(request, rule.status());
  return json_response(200, rule_json(*rule, now));
}

// DELETE of a rule or a hold: `lift(node_id)`, then 204 or its refusal.
template <typename Lift>
Response lift_lock(Request& request, Lift lift) {
  auto id = parse_id(request.path_param("node_id"));
  if (!id.is_ok()) return fail(request, id.status());
  Status status = lift(*id);
  if (!status.is_ok()) return fail(request, status);
  Response response;
  response.status = 204;
  return response;
}

Response remove_retention(ApiContext& ctx, Request& request) {
  return lift_lock(request, [&](int64_t id) {
    return ctx.admin.remove_retention(request.principal, id, origin_of(request));
  });
}

Response list_holds(ApiContext& ctx, Request& request) {
  auto holds = ctx.admin.list_holds(request.principal);
  if (!holds.is_ok()) return fail(request, holds.status());
  json::array items;
  for (const LegalHold& h : *holds) items.push_back(hold_json(h));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response place_hold(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("node_id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto reason = optional_string(*body, "reason");
  if (!reason.is_ok() || !*reason || body->size() != 1) {
    return fail(request, Status(Errc::kInvalidArgument, "reason is a required string"));
  }
  auto hold = ctx.admin.place_hold(request.principal, *id, **reason, origin_of(request));
  if (!hold.is_ok()) return fail(request, hold.status());
  return json_response(200, hold_json(*hold));
}

Response release_hold(ApiContext& ctx, Request& request) {
  return lift_lock(request, [&](int64_t id) {
    return ctx.admin.release_hold(request.principal, id, origin_of(request));
  });
}

}  // namespace

void add_retention_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/admin/retention", access::kAdministration,
             bind_route(ctx, list_retention));
  router.add("PUT", "/api/v1/admin/retention/{node_id}", access::kAdministration,
             bind_route(ctx, set_retention));
  router.add("DELETE", "/api/v1/admin/retention/{node_id}", access::kAdministration,
             bind_route(ctx, remove_retention));
  router.add("GET", "/api/v1/admin/legal-holds", access::kAdministration,
             bind_route(ctx, list_holds));
  router.add("PUT", "/api/v1/admin/legal-holds/{node_id}", access::kAdministration,
             bind_route(ctx, place_hold));
  router.add("DELETE", "/api/v1/admin/legal-holds/{node_id}", access::kAdministration,
             bind_route(ctx, release_hold));
}

}  // namespace coffer::api
