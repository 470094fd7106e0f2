// The trash: /api/v1/trash. Deleting a node moves it (and its subtree) here; it can be
// restored where it was, purged, or restored in bulk by time window and client.

#include <boost/json.hpp>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "core/name_rules.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

Result<int64_t> trash_id(const Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return Status(Errc::kNotFound, "no such item in the trash");
  return id;
}

Response list_trash(ApiContext& ctx, Request& request) {
  auto items = ctx.catalog.list_trash(request.user_id);
  if (!items.is_ok()) return fail(request, items.status());
  json::array out;
  for (const TrashItem& item : *items) {
    json::object o = node_json(item.node);
    o["deleted"] = rfc3339(item.deleted);
    o["original_parent_id"] = item.node.parent_id;
    o["parent_exists"] = item.parent_live;
    if (item.deleted_by_token != 0) {
      o["deleted_by_token"] = item.deleted_by_token;
    } else {
      o["deleted_by_token"] = nullptr;
    }
    out.push_back(std::move(o));
  }
  return json_response(200, json::object{{"items", std::move(out)}});
}

Response restore_one(ApiContext& ctx, Request& request) {
  auto id = trash_id(request);
  if (!id.is_ok()) return fail(request, id.status());
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto given = optional_string(*body, "name");
  if (!given.is_ok()) return fail(request, given.status());
  std::optional<std::string> name;
  if (*given) {
    auto normalized = normalize_name(**given);
    if (!normalized.is_ok()) return fail(request, normalized.status());
    name = std::move(*normalized);
  }
  auto node = ctx.files.restore_trashed(request.user_id, *id, name);
  if (!node.is_ok()) return fail(request, node.status());
  ctx.auth.audit(&request.principal, "files.restore", "node:" + std::to_string(*id), "success",
                 origin_of(request));
  return json_response(200, node_json(*node));
}

// Times are RFC 3339 strings or Unix seconds.
Result<Micros> time_field(const json::object& body, const char* key, Micros fallback) {
  const json::value* v = body.if_contains(key);
  if (!v || v->is_null()) return fallback;
  if (v->is_int64()) return v->as_int64() * 1'000'000;
  if (v->is_string()) {
    auto t = parse_rfc3339(v->as_string());
    if (t) return *t;
  }
  return Status(Errc::kInvalidArgument,
                std::string(key) + " must be an RFC 3339 time or Unix seconds");
}

// Undo a mass deletion: restores every item deleted in [deleted_after, deleted_before),
// optionally only those deleted by one API token. Newest first, so that a tree deleted
// bottom-up by a script comes back with its folders before their contents.
Response restore_window(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto after = time_field(*body, "deleted_after", 0);
  auto before = time_field(*body, "deleted_before", now_micros() + 1);
  auto token = optional_int(*body, "token_id");
  if (!after.is_ok()) return fail(request, after.status());
  if (!before.is_ok()) return fail(request, before.status());
  if (!token.is_ok()) return fail(request, token.status());
  if (*after >= *before) {
    return fail(request,
                Status(Errc::kInvalidArgument, "deleted_after must be before deleted_before"));
  }
  auto ids = ctx.catalog.trashed_between(request.user_id, *after, *before, *token);
  if (!ids.is_ok()) return fail(request, ids.status());
  json::array restored;
  json::array failed;
  for (int64_t id : *ids) {
    auto node = ctx.files.restore_trashed(request.user_id, id, std::nullopt);
    if (node.is_ok()) {
      restored.push_back(node_json(*node));
    } else if (node.status().code() != Errc::kNotFound) {  // NotFound: went with another
      failed.push_back(json::object{{"id", id},
                                    {"code", errc_name(node.status().code())},
                                    {"message", node.status().message()}});
    }
  }
  ctx.auth.audit(
      &request.principal, "files.restore_window", "trash", "success", origin_of(request),
      std::to_string(restored.size()) + " restored, " + std::to_string(failed.size()) + " failed");
  return json_response(
      200, json::object{{"restored", std::move(restored)}, {"failed", std::move(failed)}});
}

Response purge_one(ApiContext& ctx, Request& request) {
  auto id = trash_id(request);
  if (!id.is_ok()) return fail(request, id.status());
  Status status = ctx.catalog.purge_trashed(request.user_id, *id);
  if (!status.is_ok()) return fail(request, status);
  ctx.auth.audit(&request.principal, "files.purge", "node:" + std::to_string(*id), "success",
                 origin_of(request));
  Response response;
  response.status = 204;
  return response;
}

Response empty_trash(ApiContext& ctx, Request& request) {
  auto n = ctx.catalog.empty_trash(request.user_id);
  if (!n.is_ok()) return fail(request, n.status());
  ctx.auth.audit(&request.principal, "files.empty_trash", "user:" + std::to_string(request.user_id),
                 "success", origin_of(request), std::to_string(*n) + " items purged");
  return json_response(200, json::object{{"purged", *n}});
}

}  // namespace

void add_trash_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/trash", access::kFilesRead, bind_route(ctx, list_trash));
  router.add("DELETE", "/api/v1/trash", access::kFilesWrite, bind_route(ctx, empty_trash));
  router.add("POST", "/api/v1/trash/restore", access::kFilesWrite, bind_route(ctx, restore_window));
  router.add("DELETE", "/api/v1/trash/{id}", access::kFilesWrite, bind_route(ctx, purge_one));
  router.add("POST", "/api/v1/trash/{id}/restore", access::kFilesWrite,
             bind_route(ctx, restore_one));
}

}  // namespace coffer::api
