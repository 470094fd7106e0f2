// The signed-in user's account: sessions, password, personal API tokens, S3 access keys and the
// audit log. /api/v1/auth/{sessions,password,tokens,s3-keys} and /api/v1/audit.

#include <boost/json.hpp>
#include <sstream>

#include "api/api_context.h"
#include "api/audit_json.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/query_params.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

Response no_content() {
  Response response;
  response.status = 204;
  return response;
}

json::value time_or_null(std::optional<Micros> t) {
  if (!t) return nullptr;
  return json::value(rfc3339(*t));
}

Response list_sessions(ApiContext& ctx, Request& request) {
  auto sessions = ctx.auth.sessions(request.principal);
  if (!sessions.is_ok()) return fail(request, sessions.status());
  json::array items;
  for (const Session& s : *sessions) {
    items.push_back(json::object{{"id", s.id},
                                 {"created", rfc3339(s.created)},
                                 {"last_used", rfc3339(s.last_used)},
                                 {"expires", rfc3339(s.expires)},
                                 {"ip", s.ip},
                                 {"user_agent", s.user_agent},
                                 {"current", s.id == request.principal.session_id}});
  }
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response revoke_session(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, Status(Errc::kNotFound, "no such session"));
  Status status = ctx.auth.revoke_session(request.principal, *id, origin_of(request));
  if (!status.is_ok()) return fail(request, status);
  return no_content();
}

Response change_password(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto current = optional_string(*body, "current_password");
  auto next = optional_string(*body, "new_password");
  if (!current.is_ok() || !next.is_ok() || !*current || !*next) {
    return fail(request, Status(Errc::kInvalidArgument,
                                "current_password and new_password are required strings"));
  }
  bool keep_api_tokens = false;
  if (const auto* keep = body->if_contains("keep_api_tokens")) {
    if (!keep->is_bool()) {
      return fail(request, Status(Errc::kInvalidArgument, "keep_api_tokens must be a boolean"));
    }
    keep_api_tokens = keep->as_bool();
  }
  Status status = ctx.auth.change_password(request.principal, **current, **next, keep_api_tokens,
                                           origin_of(request));
  if (!status.is_ok()) return fail(request, status);
  return no_content();
}

json::object token_json(const ApiToken& t) {
  return json::object{{"id", t.id},
                      {"name", t.name},
                      {"scopes", scopes_text(t.scopes)},
                      {"created", rfc3339(t.created)},
                      {"expires", time_or_null(t.expires)},
                      {"last_used", time_or_null(t.last_used)}};
}

// "files:read files:write" or ["files:read", "files:write"]; 0 when absent, null or empty.
Result<uint32_t> parse_scopes(const json::object& body) {
  const json::value* v = body.if_contains("scopes");
  if (!v || v->is_null()) return 0;
  std::vector<std::string> names;
  if (v->is_string()) {
    std::istringstream in{std::string(v->as_string())};
    for (std::string name; in >> name;) names.push_back(name);
  } else if (v->is_array()) {
    for (const json::value& item : v->as_array()) {
      if (!item.is_string()) return Status(Errc::kInvalidArgument, "scopes must be strings");
      names.emplace_back(item.as_string());
    }
  } else {
    return Status(Errc::kInvalidArgument, "scopes must be a string or an array of strings");
  }
  uint32_t scopes = 0;
  for (const std::string& name : names) {
    auto bit = parse_scope(name);
    if (!bit) return Status(Errc::kInvalidArgument, "unknown scope: " + name.substr(0, 32));
    scopes |= *bit;
  }
  return scopes;
}

// The body of a new credential: {name, scopes, ...}.
struct CredentialRequest {
  json::object body;
  std::string name;
  uint32_t scopes = 0;  // none given
};

Result<CredentialRequest> read_credential_request(Request& request) {
  auto body = read_json_object(request);
  COFFER_RETURN_IF_ERROR(body);
  auto name = optional_string(*body, "name");
  if (!name.is_ok() || !*name) return Status(Errc::kInvalidArgument, "name is a required string");
  auto scopes = parse_scopes(*body);
  COFFER_RETURN_IF_ERROR(scopes);
  return CredentialRequest{std::move(*body), std::move(**name), *scopes};
}

Response create_token(ApiContext& ctx, Request& request) {
  auto asked = read_credential_request(request);
  if (!asked.is_ok()) return fail(request, asked.status());
  if (asked->scopes == 0) {
    return fail(request, Status(Errc::kInvalidArgument, "scopes is required"));
  }
  auto expires_in = optional_int(asked->body, "expires_in");
  if (!expires_in.is_ok()) return fail(request, expires_in.status());
  auto created = ctx.auth.create_api_token(request.principal, asked->name, asked->scopes,
                                           *expires_in, origin_of(request));
  if (!created.is_ok()) return fail(request, created.status());
  json::object out = token_json(created->token);
  out["token"] = created->secret;
  return json_response(201, out);
}

Response list_tokens(ApiContext& ctx, Request& request) {
  auto tokens = ctx.auth.api_tokens(request.principal);
  if (!tokens.is_ok()) return fail(request, tokens.status());
  json::array items;
  for (const ApiToken& t : *tokens) items.push_back(token_json(t));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response revoke_token(ApiContext& ctx, Request& request) {
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, Status(Errc::kNotFound, "no such API token"));
  Status status = ctx.auth.revoke_api_token(request.principal, *id, origin_of(request));
  if (!status.is_ok()) return fail(request, status);
  return no_content();
}

json::object s3_key_json(const S3Key& k) {
  return json::object{{"id", k.id},
                      {"name", k.name},
                      {"scopes", scopes_text(k.scopes)},
                      {"access_key_id", k.access_key_id},
                      {"created", rfc3339(k.created)},
                      {"last_used", time_or_null(k.last_used)}};
}

Status s3_keys_unavailable() {
  return Status(Errc::kUnavailable, "S3 access keys are not available here");
}

// {name, scopes}: scopes as for API tokens, files:read files:write when none are given.
Response create_s3_key(ApiContext& ctx, Request& request) {
  if (ctx.s3_keys == nullptr) return fail(request, s3_keys_unavailable());
  auto asked = read_credential_request(request);
  if (!asked.is_ok()) return fail(request, asked.status());
  auto created =
      ctx.s3_keys->create(request.principal, asked->name, asked->scopes, origin_of(request));
  if (!created.is_ok()) return fail(request, created.status());
  json::object out = s3_key_json(created->key);
  out.erase("last_used");
  out["secret_access_key"] = created->secret_access_key;
  return json_response(201, out);
}

Response list_s3_keys(ApiContext& ctx, Request& request) {
  if (ctx.s3_keys == nullptr) return fail(request, s3_keys_unavailable());
  auto keys = ctx.s3_keys->list(request.principal);
  if (!keys.is_ok()) return fail(request, keys.status());
  json::array items;
  for (const S3Key& k : *keys) items.push_back(s3_key_json(k));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response revoke_s3_key(ApiContext& ctx, Request& request) {
  if (ctx.s3_keys == nullptr) return fail(request, s3_keys_unavailable());
  auto id = parse_id(request.path_param("id"));
  if (!id.is_ok()) return fail(request, Status(Errc::kNotFound, "no such S3 access key"));
  Status status = ctx.s3_keys->revoke(request.principal, *id, origin_of(request));
  if (!status.is_ok()) return fail(request, status);
  return no_content();
}

Response begin_totp(ApiContext& ctx, Request& request) {
  auto enrolment = ctx.auth.begin_totp(request.principal, origin_of(request));
  if (!enrolment.is_ok()) return fail(request, enrolment.status());
  return json_response(
      200, json::object{{"secret", enrolment->secret}, {"otpauth_uri", enrolment->otpauth_uri}});
}

Response confirm_totp(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto code = optional_string(*body, "code");
  if (!code.is_ok() || !*code) {
    return fail(request, Status(Errc::kInvalidArgument, "code is a required string"));
  }
  auto codes = ctx.auth.confirm_totp(request.principal, **code, origin_of(request));
  if (!codes.is_ok()) return fail(request, codes.status());
  json::array recovery;
  for (const std::string& c : *codes) recovery.emplace_back(c);
  return json_response(200, json::object{{"recovery_codes", std::move(recovery)}});
}

Response disable_totp(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return fail(request, body.status());
  auto password = optional_string(*body, "password");
  auto code = optional_string(*body, "code");
  auto recovery = optional_string(*body, "recovery_code");
  if (!password.is_ok() || !code.is_ok() || !recovery.is_ok() || !*password) {
    return fail(request, Status(Errc::kInvalidArgument,
                                "password is required; code or recovery_code must be strings"));
  }
  Status status = ctx.auth.disable_totp(
      request.principal, **password, service::SecondFactor{*code, *recovery}, origin_of(request));
  if (!status.is_ok()) return fail(request, status);
  return no_content();
}

// GET /api/v1/audit?actor=&action=&cursor=&limit= ; newest first, `next_cursor` continues
// (`before` and `next` are its older names).
Response list_audit(ApiContext& ctx, Request& request) {
  meta::AuditQuery query;
  if (auto actor = query_param(request, "actor")) {
    auto id = parse_id(*actor, Errc::kInvalidArgument);
    if (!id.is_ok()) return fail(request, id.status());
    query.actor_id = *id;
  }
  if (auto action = query_param(request, "action"); action && !action->empty()) {
    query.action = *action;
  }
  auto before = id_cursor(request, "before");
  if (!before.is_ok()) return fail(request, before.status());
  query.before_id = *before;
  if (auto limit = query_param(request, "limit")) {
    auto n = parse_id(*limit, Errc::kInvalidArgument);
    if (!n.is_ok() || *n > 1000) {
      return fail(request, Status(Errc::kInvalidArgument, "limit must be 1 to 1000"));
    }
    query.limit = static_cast<uint32_t>(*n);
  }
  auto events = ctx.auth.audit_events(request.principal, query);
  if (!events.is_ok()) return fail(request, events.status());
  json::array items;
  for (const AuditEvent& e : *events) items.push_back(audit_event_json(e));
  json::object out{{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (!events->empty() && events->size() == query.limit) {
    out["next_cursor"] = std::to_string(events->back().id);
    out["next"] = out["next_cursor"];
  }
  return json_response(200, out);
}

}  // namespace

void add_account_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/auth/sessions", access::kOwnAccount, bind_route(ctx, list_sessions));
  router.add("DELETE", "/api/v1/auth/sessions/{id}", access::kOwnAccount,
             bind_route(ctx, revoke_session));
  router.add("POST", "/api/v1/auth/password", access::kOwnAccount,
             bind_route(ctx, change_password));
  router.add("GET", "/api/v1/auth/tokens", access::kOwnAccount, bind_route(ctx, list_tokens));
  router.add("POST", "/api/v1/auth/tokens", access::kOwnAccount, bind_route(ctx, create_token));
  router.add("DELETE", "/api/v1/auth/tokens/{id}", access::kOwnAccount,
             bind_route(ctx, revoke_token));
  router.add("GET", "/api/v1/auth/s3-keys", access::kOwnAccount, bind_route(ctx, list_s3_keys));
  router.add("POST", "/api/v1/auth/s3-keys", access::kOwnAccount, bind_route(ctx, create_s3_key));
  router.add("DELETE", "/api/v1/auth/s3-keys/{id}", access::kOwnAccount,
             bind_route(ctx, revoke_s3_key));
  router.add("POST", "/api/v1/auth/mfa/totp", access::kOwnAccount, bind_route(ctx, begin_totp));
  router.add("DELETE", "/api/v1/auth/mfa/totp", access::kOwnAccount, bind_route(ctx, disable_totp));
  router.add("POST", "/api/v1/auth/mfa/totp/confirm", access::kOwnAccount,
             bind_route(ctx, confirm_totp));
  router.add("GET", "/api/v1/audit", access::kSignedIn, bind_route(ctx, list_audit));
}

}  // namespace coffer::api
