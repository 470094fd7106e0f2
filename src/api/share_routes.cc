// Sharing, for signed-in users: shares of a node with users and groups
// (/api/v1/nodes/{id}/shares, /api/v1/shares/{id}, /api/v1/shared-with-me) and public links
// (/api/v1/nodes/{id}/links, /api/v1/links). The public side of links is in link_routes.cc.

#include <boost/json.hpp>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/query_params.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

json::object share_json(const Share& share) {
  json::object o{{"id", share.id},
                 {"node_id", share.node_id},
                 {"permission", permission_name(share.permission)},
                 {"created", rfc3339(share.created)}};
  if (share.user_id != 0) {
    o["user_id"] = share.user_id;
    o["username"] = share.recipient_name;
    o["group_id"] = nullptr;
  } else {
    o["user_id"] = nullptr;
    o["group_id"] = share.group_id;
    o["group_name"] = share.recipient_name;
  }
  return o;
}

// A link as its owner sees it (the token included: the owner may copy the link again).
json::object link_json(const service::LinkView& view) {
  const ShareLink& link = view.link;
  json::object o{{"id", link.id},
                 {"node_id", link.node_id},
                 {"token", view.token},
                 {"url", "/s/" + view.token},
                 {"has_password", !link.password_hash.empty()},
                 {"downloads", link.downloads},
                 {"views", link.views},
                 {"disabled", link.disabled},
                 {"file_drop", link.file_drop},
                 {"created", rfc3339(link.created)}};
  o["expires_at"] = link.expires ? json::value(rfc3339(*link.expires)) : json::value(nullptr);
  o["max_downloads"] = link.max_downloads ? json::value(*link.max_downloads) : json::value(nullptr);
  return o;
}

Result<Permission> permission_field(const json::object& body) {
  auto text = optional_string(body, "permission");
  COFFER_RETURN_IF_ERROR(text);
  if (!*text) return Permission::kRead;
  auto permission = parse_permission(**text);
  if (!permission) return Status(Errc::kInvalidArgument, "permission must be read or write");
  return *permission;
}

Response create_share(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto user_id = optional_int(*body, "user_id");
  auto group_id = optional_int(*body, "group_id");
  auto username = optional_string(*body, "username");
  for (const Status* s : {&user_id.status(), &group_id.status(), &username.status()}) {
    if (!s->is_ok()) return fail(request, *s);
  }
  auto permission = permission_field(*body);
  if (!permission.is_ok()) return fail(request, permission.status());
  int64_t user = user_id->value_or(0);
  if (*username) {
    if (user != 0) return fail(request, Status(Errc::kInvalidArgument, "give user_id or username"));
    auto found = ctx.catalog.find_user_by_name(**username);
    if (!found.is_ok() || found->status == UserStatus::kDeleted) {
      return fail(request, Status(Errc::kNotFound, "no such user"));
    }
    user = found->id;
  }
  auto share = ctx.shares.share(request.user_id, *id, user, group_id->value_or(0), *permission);
  if (!share.is_ok()) return fail(request, share.status());
  ctx.auth.audit(&request.principal, "shares.create", "node:" + std::to_string(*id), "success",
                 origin_of(request),
                 std::string(permission_name(share->permission)) + " to " +
                     (share->user_id != 0 ? "user:" + std::to_string(share->user_id)
                                          : "group:" + std::to_string(share->group_id)));
  return json_response(201, share_json(*share));
}

Response list_node_shares(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto shares = ctx.shares.node_shares(request.user_id, *id);
  if (!shares.is_ok()) return fail(request, shares.status());
  json::array items;
  for (const Share& share : *shares) items.push_back(share_json(share));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response delete_share(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, Status(Errc::kNotFound, "no such share"));
  if (Status s = ctx.shares.revoke(request.user_id, *id); !s.is_ok()) return fail(request, s);
  ctx.auth.audit(&request.principal, "shares.delete", "share:" + std::to_string(*id), "success",
                 origin_of(request), "");
  Response response;
  response.status = 204;
  return response;
}

Response shared_with_me(ApiContext& ctx, Request& request) {
  auto items = ctx.shares.shared_with_me(request.user_id);
  if (!items.is_ok()) return fail(request, items.status());
  json::array out;
  for (const SharedWithMe& item : *items) {
    json::object o = node_json(item.node);
    o["share_id"] = item.share.id;
    o["permission"] = permission_name(item.share.permission);
    o["owner"] = json::object{{"id", item.share.owner_id}, {"username", item.owner_name}};
    o["shared"] = rfc3339(item.share.created);
    out.push_back(std::move(o));
  }
  return json_response(200, json::object{{"items", std::move(out)}});
}

// expires_at: an RFC 3339 time or null (no expiry); max_downloads: a count or null.
Result<std::optional<Micros>> expiry_field(const json::object& body) {
  const json::value* v = body.if_contains("expires_at");
  if (v == nullptr || v->is_null()) return std::optional<Micros>();
  if (!v->is_string()) return Status(Errc::kInvalidArgument, "expires_at must be a time or null");
  auto t = parse_rfc3339(v->as_string());
  if (!t) return Status(Errc::kInvalidArgument, "expires_at must be an RFC 3339 time");
  return std::optional<Micros>(*t);
}

Result<std::optional<bool>> optional_bool(const json::object& body, const char* key) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<bool>();
  if (!v->is_bool()) return Status(Errc::kInvalidArgument, std::string(key) + " must be a boolean");
  return std::optional<bool>(v->as_bool());
}

Response create_link(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, id.status());
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto expires = expiry_field(*body);
  auto password = optional_string(*body, "password");
  auto max_downloads = optional_int(*body, "max_downloads");
  auto file_drop = optional_bool(*body, "file_drop");
  for (const Status* s :
       {&expires.status(), &password.status(), &max_downloads.status(), &file_drop.status()}) {
    if (!s->is_ok()) return fail(request, *s);
  }
  service::LinkOptions options;
  options.expires = *expires;
  options.password = password->value_or("");
  options.max_downloads = *max_downloads;
  options.file_drop = file_drop->value_or(false);
  auto link = ctx.shares.create_link(request.user_id, *id, options);
  if (!link.is_ok()) return fail(request, link.status());
  ctx.auth.audit(&request.principal, "links.create", "node:" + std::to_string(*id), "success",
                 origin_of(request), "link:" + std::to_string(link->link.id));
  return json_response(201, link_json(*link));
}

Response list_links(ApiContext& ctx, Request& request) {
  std::optional<int64_t> node_id;
  if (auto text = query_param(request, "node_id")) {
    auto id = parse_id(*text, Errc::kInvalidArgument);
    if (!id.is_ok()) return fail(request, id.status());
    node_id = *id;
  }
  auto links = ctx.shares.links(request.user_id, node_id);
  if (!links.is_ok()) return fail(request, links.status());
  json::array items;
  for (const auto& link : *links) items.push_back(link_json(link));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response patch_link(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, Status(Errc::kNotFound, "no such link"));
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  service::LinkUpdate update;
  if (body->contains("expires_at")) {
    auto expires = expiry_field(*body);
    if (!expires.is_ok()) return fail(request, expires.status());
    update.expires = *expires;
  }
  if (body->contains("max_downloads")) {
    auto max = optional_int(*body, "max_downloads");
    if (!max.is_ok()) return fail(request, max.status());
    update.max_downloads = *max;
  }
  if (body->contains("password")) {
    const json::value& v = body->at("password");
    if (!v.is_null() && !v.is_string()) {
      return fail(request, Status(Errc::kInvalidArgument, "password must be a string or null"));
    }
    update.password = v.is_null() ? std::string() : std::string(v.as_string());
  }
  auto disabled = optional_bool(*body, "disabled");
  auto file_drop = optional_bool(*body, "file_drop");
  if (!disabled.is_ok()) return fail(request, disabled.status());
  if (!file_drop.is_ok()) return fail(request, file_drop.status());
  update.disabled = *disabled;
  update.file_drop = *file_drop;
  auto link = ctx.shares.update_link(request.user_id, *id, update);
  if (!link.is_ok()) return fail(request, link.status());
  return json_response(200, link_json(*link));
}

Response delete_link(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, Status(Errc::kNotFound, "no such link"));
  if (Status s = ctx.shares.delete_link(request.user_id, *id); !s.is_ok()) return fail(request, s);
  ctx.auth.audit(&request.principal, "links.delete", "link:" + std::to_string(*id), "success",
                 origin_of(request), "");
  Response response;
  response.status = 204;
  return response;
}

}  // namespace

void add_share_routes(Router& router, ApiContext& ctx) {
  router.add("POST", "/api/v1/nodes/{id}/shares", access::kSharesWrite,
             bind_route(ctx, create_share));
  router.add("GET", "/api/v1/nodes/{id}/shares", access::kSharesRead,
             bind_route(ctx, list_node_shares));
  router.add("DELETE", "/api/v1/shares/{id}", access::kSharesWrite, bind_route(ctx, delete_share));
  router.add("GET", "/api/v1/shared-with-me", access::kSharesRead, bind_route(ctx, shared_with_me));
  router.add("POST", "/api/v1/nodes/{id}/links", access::kSharesWrite,
             bind_route(ctx, create_link));
  router.add("GET", "/api/v1/links", access::kSharesRead, bind_route(ctx, list_links));
  router.add("PATCH", "/api/v1/links/{id}", access::kSharesWrite, bind_route(ctx, patch_link));
  router.add("DELETE", "/api/v1/links/{id}", access::kSharesWrite, bind_route(ctx, delete_link));
}

}  // namespace coffer::api
