// Administration: /api/v1/admin/{users,settings,invites,groups} (admin scope), and
// /api/v1/system/stats for operators and admins. No route here exposes a user's files.

#include <boost/json.hpp>

#include <algorithm>
#include <cstring>

#include "api/api_context.h"
#include "api/audit_json.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/query_params.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

constexpr int64_t kDefaultInviteSeconds = 7 * 86400;

Response no_content() {
  Response response;
  response.status = 204;
  return response;
}

Result<int64_t> path_id(const Request& request, std::string_view name, const char* what) {
  auto id = parse_id(request.path_param(name));
  if (!id.is_ok()) return Status(Errc::kNotFound, what);
  return id;
}

Response list_users(ApiContext& ctx, Request& request) {
  meta::UserQuery query;
  if (auto role = query_param(request, "role")) {
    query.role = parse_role(*role);
    if (!query.role) return fail(request, Status(Errc::kInvalidArgument, "unknown role"));
  }
  if (auto status = query_param(request, "status")) {
    query.status = parse_user_status(*status);
    if (!query.status) return fail(request, Status(Errc::kInvalidArgument, "unknown status"));
  }
  if (auto prefix = query_param(request, "q")) query.name_prefix = *prefix;
  auto after = id_cursor(request, "after");
  if (!after.is_ok()) return fail(request, after.status());
  query.after_id = after->value_or(0);
  if (auto limit = query_param(request, "limit")) {
    auto n = parse_id(*limit, Errc::kInvalidArgument);
    if (!n.is_ok() || *n > 1000) {
      return fail(request, Status(Errc::kInvalidArgument, "limit must be 1 to 1000"));
    }
    query.limit = static_cast<uint32_t>(*n);
  }
  auto users = ctx.admin.list_users(request.principal, query);
  if (!users.is_ok()) return fail(request, users.status());
  json::array items;
  for (const User& u : *users) items.push_back(user_json(u));
  json::object out{{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (!users->empty() && users->size() == query.limit) {
    // `next` is next_cursor's older name.
    out["next_cursor"] = std::to_string(users->back().id);
    out["next"] = out["next_cursor"];
  }
  return json_response(200, out);
}

Result<Role> role_field(const json::object& body) {
  auto role = optional_string(body, "role");
  COFFER_RETURN_IF_ERROR(role);
  if (!*role) return Role::kUser;
  auto parsed = parse_role(**role);
  if (!parsed) return Status(Errc::kInvalidArgument, "role must be admin, operator or user");
  return *parsed;
}

Response create_user(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto username = optional_string(*body, "username");
  auto password = optional_string(*body, "password");
  auto role = role_field(*body);
  if (!username.is_ok() || !password.is_ok() || !*username) {
    return fail(request,
                Status(Errc::kInvalidArgument, "username is a required string; password a string"));
  }
  if (!role.is_ok()) return fail(request, role.status());
  std::optional<std::string_view> chosen;
  if (*password) chosen = **password;
  auto created =
      ctx.admin.create_user(request.principal, **username, chosen, *role, origin_of(request));
  if (!created.is_ok()) return fail(request, created.status());
  json::object out = user_json(created->user);
  if (!created->generated_password.empty()) out["password"] = created->generated_password;
  return json_response(201, out);
}

Response get_user(ApiContext& ctx, Request& request) {
  auto id = path_id(request, "id", "no such user");
  if (!id.is_ok()) return fail(request, id.status());
  auto user = ctx.admin.get_user(request.principal, *id);
  if (!user.is_ok()) return fail(request, user.status());
  return json_response(200, user_json(*user));
}

Response update_user(ApiContext& ctx, Request& request) {
  auto id = path_id(request, "id", "no such user");
  if (!id.is_ok()) return fail(request, id.status());
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  meta::UserChanges changes;
  for (const auto& [key, value] : *body) {
    if (key != "role" && key != "status" && key != "quota_bytes") {
      return fail(request, Status(Errc::kInvalidArgument,
                                  "only role, status and quota_bytes can be changed"));
    }
  }
  if (body->contains("role")) {
    auto role = role_field(*body);
    if (!role.is_ok()) return fail(request, role.status());
    changes.role = *role;
  }
  if (auto status = optional_string(*body, "status"); !status.is_ok()) {
    return fail(request, status.status());
  } else if (*status) {
    changes.status = parse_user_status(**status);
    if (!changes.status) {
      return fail(request, Status(Errc::kInvalidArgument,
                                  "status must be active, disabled, locked or deleted"));
    }
  }
  if (body->contains("quota_bytes")) {
    auto quota = optional_int(*body, "quota_bytes");
    if (!quota.is_ok()) return fail(request, quota.status());
    changes.quota_bytes = *quota;
  }
  auto user = ctx.admin.update_user(request.principal, *id, changes, origin_of(request));
  if (!user.is_ok()) return fail(request, user.status());
  return json_response(200, user_json(*user));
}

Response delete_user(ApiContext& ctx, Request& request) {
  auto id = path_id(request, "id", "no such user");
  if (!id.is_ok()) return fail(request, id.status());
  Status status = ctx.admin.delete_user(request.principal, *id, origin_of(request));
  if (!status.is_ok()) return fail(request, status);
  return no_content();
}

Response password_reset(ApiContext& ctx, Request& request) {
  auto id = path_id(request, "id", "no such user");
  if (!id.is_ok()) return fail(request, id.status());
  auto reset = ctx.admin.issue_password_reset(request.principal, *id, origin_of(request));
  if (!reset.is_ok()) return fail(request, reset.status());
  return json_response(201, json::object{{"token", reset->token},
                                         {"expires_in", reset->expires_in},
                                         {"reset_path", "/reset-password#" + reset->token}});
}

json::object settings_json(const service::ServerSettings& s) {
  return json::object{{"registration_mode", service::registration_mode_name(s.registration_mode)},
                      {"require_mfa_for_admins", s.require_mfa_for_admins}};
}

Response get_settings(ApiContext& ctx, Request& request) {
  auto settings = ctx.admin.settings(request.principal);
  if (!settings.is_ok()) return fail(request, settings.status());
  return json_response(200, settings_json(*settings));
}

Response update_settings(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  std::optional<service::RegistrationMode> mode;
  std::optional<bool> require_mfa;
  for (const auto& [key, value] : *body) {
    if (key == "registration_mode") {
      if (value.is_string()) mode = service::parse_registration_mode(value.as_string());
      if (!mode) {
        return fail(request, Status(Errc::kInvalidArgument,
                                    "registration_mode must be closed, invite or open"));
      }
    } else if (key == "require_mfa_for_admins") {
      if (!value.is_bool()) {
        return fail(request,
                    Status(Errc::kInvalidArgument, "require_mfa_for_admins must be a boolean"));
      }
      require_mfa = value.as_bool();
    } else {
      return fail(request, Status(Errc::kInvalidArgument, "unknown setting"));
    }
  }
  auto settings =
      ctx.admin.update_settings(request.principal, mode, require_mfa, origin_of(request));
  if (!settings.is_ok()) return fail(request, settings.status());
  return json_response(200, settings_json(*settings));
}

Response create_invite(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto expires_in = optional_int(*body, "expires_in");
  if (!expires_in.is_ok()) return fail(request, expires_in.status());
  auto invite = ctx.admin.create_invite(
      request.principal, expires_in->value_or(kDefaultInviteSeconds), origin_of(request));
  if (!invite.is_ok()) return fail(request, invite.status());
  return json_response(201,
                       json::object{{"invite", invite->token}, {"expires_in", invite->expires_in}});
}

// POST /api/v1/admin/token-keys/rotate: a new key signs access tokens from now on; tokens of
// the old one stay valid until they expire (service/token_key_ring.h).
Response rotate_token_key(ApiContext& ctx, Request& request) {
  auto kid = ctx.auth.rotate_token_key(request.principal, origin_of(request));
  if (!kid.is_ok()) return fail(request, kid.status());
  return json_response(200, json::object{{"kid", *kid}});
}

json::object group_json(const meta::Group& g) {
  json::array members;
  for (int64_t id : g.member_ids) members.emplace_back(id);
  return json::object{{"id", g.id},
                      {"name", g.name},
                      {"created", rfc3339(g.created)},
                      {"member_ids", std::move(members)}};
}

Response list_groups(ApiContext& ctx, Request& request) {
  auto groups = ctx.admin.list_groups(request.principal);
  if (!groups.is_ok()) return fail(request, groups.status());
  json::array items;
  for (const auto& g : *groups) items.push_back(group_json(g));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response create_group(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto name = optional_string(*body, "name");
  if (!name.is_ok() || !*name) {
    return fail(request, Status(Errc::kInvalidArgument, "name is a required string"));
  }
  auto group = ctx.admin.create_group(request.principal, **name, origin_of(request));
  if (!group.is_ok()) return fail(request, group.status());
  return json_response(201, group_json(*group));
}

Response get_group(ApiContext& ctx, Request& request) {
  auto id = path_id(request, "id", "no such group");
  if (!id.is_ok()) return fail(request, id.status());
  auto group = ctx.admin.get_group(request.principal, *id);
  if (!group.is_ok()) return fail(request, group.status());
  return json_response(200, group_json(*group));
}

Response delete_group(ApiContext& ctx, Request& request) {
  auto id = path_id(request, "id", "no such group");
  if (!id.is_ok()) return fail(request, id.status());
  Status status = ctx.admin.delete_group(request.principal, *id, origin_of(request));
  if (!status.is_ok()) return fail(request, status);
  return no_content();
}

Response change_member(ApiContext& ctx, Request& request) {
  auto group = path_id(request, "id", "no such group");
  if (!group.is_ok()) return fail(request, group.status());
  auto user = path_id(request, "user_id", "no such user");
  if (!user.is_ok()) return fail(request, user.status());
  const RequestOrigin origin = origin_of(request);
  Status status = request.method == "PUT"
                      ? ctx.admin.add_member(request.principal, *group, *user, origin)
                      : ctx.admin.remove_member(request.principal, *group, *user, origin);
  if (!status.is_ok()) return fail(request, status);
  return no_content();
}

// Health of the installation as a whole: counts and bytes, never names or contents.
Response system_stats(ApiContext& ctx, Request& request) {
  auto storage = ctx.catalog.storage_stats();
  if (!storage.is_ok()) return fail(request, storage.status());
  auto users = ctx.catalog.list_users();
  if (!users.is_ok()) return fail(request, users.status());
  json::object by_status;
  for (const User& u : *users) {
    auto key = user_status_name(u.status);
    by_status[key] = (by_status.contains(key) ? by_status[key].as_int64() : 0) + 1;
  }
  auto ratio = [](int64_t a, int64_t b) { return b > 0 ? static_cast<double>(a) / b : 1.0; };
  return json_response(
      200, json::object{{"logical_bytes", storage->logical_bytes},
                        {"unique_bytes", storage->unique_bytes},
                        {"physical_bytes", storage->stored_bytes},
                        {"chunks", storage->chunks},
                        {"dedup_ratio", ratio(storage->logical_bytes, storage->unique_bytes)},
                        {"compression_ratio", ratio(storage->unique_bytes, storage->stored_bytes)},
                        {"users", static_cast<int64_t>(users->size())},
                        {"users_by_status", std::move(by_status)}});
}

// The audit log as JSON Lines (docs/archive.md, "Exporting it"), read a page at a time as the
// client takes it: the log may be long, and no transaction stays open while the client reads.
class AuditExportSource final : public ByteSource {
 public:
  static constexpr uint32_t kPageSize = 500;

  AuditExportSource(service::AdminService& admin, Principal who) : admin_(admin), who_(who) {}

  // Reads the first page, so that a refusal (not an administrator) is the request's status.
  Status start() { return next_page(); }

  Result<size_t> read(std::span<std::byte> buf) override {
    while (pos_ == buffer_.size() && !finished_) COFFER_RETURN_IF_ERROR(next_page());
    const size_t n = std::min(buf.size(), buffer_.size() - pos_);
    std::memcpy(buf.data(), buffer_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  Status next_page() {
    auto page = admin_.audit_export_page(who_, after_id_, kPageSize);
    COFFER_RETURN_IF_ERROR(page);
    buffer_.clear();
    pos_ = 0;
    for (const AuditEvent& e : *page) {
      buffer_ += audit_export_line(e);
      buffer_ += '\n';
      after_id_ = e.id;
    }
    finished_ = page->size() < kPageSize;
    return Status::ok();
  }

  service::AdminService& admin_;
  Principal who_;
  int64_t after_id_ = 0;
  std::string buffer_;
  size_t pos_ = 0;
  bool finished_ = false;
};

// GET /api/v1/admin/audit/export: every audit entry, oldest first, with its hashes.
Response export_audit(ApiContext& ctx, Request& request) {
  auto source = std::make_unique<AuditExportSource>(ctx.admin, request.principal);
  if (Status s = source->start(); !s.is_ok()) return fail(request, s);
  Response response;
  response.set_header("Content-Type", "application/jsonl");
  response.set_header("Cache-Control", "no-store");
  response.stream = std::move(source);
  return response;
}

}  // namespace

void add_admin_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/admin/users", access::kAdministration, bind_route(ctx, list_users));
  router.add("POST", "/api/v1/admin/users", access::kAdministration, bind_route(ctx, create_user));
  router.add("GET", "/api/v1/admin/users/{id}", access::kAdministration, bind_route(ctx, get_user));
  router.add("PATCH", "/api/v1/admin/users/{id}", access::kAdministration,
             bind_route(ctx, update_user));
  router.add("DELETE", "/api/v1/admin/users/{id}", access::kAdministration,
             bind_route(ctx, delete_user));
  router.add("POST", "/api/v1/admin/users/{id}/password-reset", access::kAdministration,
             bind_route(ctx, password_reset));
  router.add("GET", "/api/v1/admin/settings", access::kAdministration,
             bind_route(ctx, get_settings));
  router.add("PATCH", "/api/v1/admin/settings", access::kAdministration,
             bind_route(ctx, update_settings));
  router.add("POST", "/api/v1/admin/invites", access::kAdministration,
             bind_route(ctx, create_invite));
  router.add("GET", "/api/v1/admin/groups", access::kAdministration, bind_route(ctx, list_groups));
  router.add("POST", "/api/v1/admin/groups", access::kAdministration,
             bind_route(ctx, create_group));
  router.add("GET", "/api/v1/admin/groups/{id}", access::kAdministration,
             bind_route(ctx, get_group));
  router.add("DELETE", "/api/v1/admin/groups/{id}", access::kAdministration,
             bind_route(ctx, delete_group));
  router.add("PUT", "/api/v1/admin/groups/{id}/members/{user_id}", access::kAdministration,
             bind_route(ctx, change_member));
  router.add("DELETE", "/api/v1/admin/groups/{id}/members/{user_id}", access::kAdministration,
             bind_route(ctx, change_member));
  router.add("POST", "/api/v1/admin/token-keys/rotate", access::kAdministration,
             bind_route(ctx, rotate_token_key));
  router.add("GET", "/api/v1/admin/audit/export", access::kAdministration,
             bind_route(ctx, export_audit));
  router.add("GET", "/api/v1/system/stats", access::kOperations, bind_route(ctx, system_stats));
}

}  // namespace coffer::api
