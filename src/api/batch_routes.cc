// POST /api/v1/batch: many move, copy, delete, restore and tag operations in one call. Each
// operation runs on its own (one failing does not undo the others) and gets a result of its
// own, in order, with the same error code a single request would have got.

#include <boost/json.hpp>

#include "api/api_context.h"
#include "api/errors.h"
#include "api/json_io.h"
#include "api/tag_list.h"
#include "core/name_rules.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

constexpr size_t kMaxOperations = 1000;

Result<int64_t> required_id(const json::object& op, const char* key) {
  auto id = optional_int(op, key);
  COFFER_RETURN_IF_ERROR(id);
  if (!*id || **id <= 0) return Status(Errc::kInvalidArgument, std::string(key) + " is required");
  return **id;
}

// The tags of `id` with `add` added and `remove` removed.
Result<Node> retag(ApiContext& ctx, const Request& request, const json::object& op, int64_t id) {
  std::vector<std::string> add, remove;
  if (const json::value* v = op.if_contains("add")) {
    auto tags = parse_tags(*v);
    COFFER_RETURN_IF_ERROR(tags);
    add = std::move(*tags);
  }
  if (const json::value* v = op.if_contains("remove")) {
    auto tags = parse_tags(*v);
    COFFER_RETURN_IF_ERROR(tags);
    remove = std::move(*tags);
  }
  if (add.empty() && remove.empty()) {
    return Status(Errc::kInvalidArgument, "a tag operation needs add and/or remove");
  }
  auto current = ctx.files.attributes(request.user_id, id);
  COFFER_RETURN_IF_ERROR(current);
  std::vector<std::string> tags;
  for (const std::string& tag : current->tags) {
    if (std::find(remove.begin(), remove.end(), tag) == remove.end()) tags.push_back(tag);
  }
  for (const std::string& tag : add) {
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
  }
  std::sort(tags.begin(), tags.end());
  if (tags.size() > 100) return Status(Errc::kInvalidArgument, "a node has at most 100 tags");
  AttributeChanges changes;
  changes.tags = std::move(tags);
  COFFER_RETURN_IF_ERROR(ctx.files.set_attributes(request.user_id, id, changes));
  return ctx.files.stat(request.user_id, id);
}

// Runs one operation; a node result for those that leave one (move, copy, restore, tag).
Result<std::optional<Node>> run(ApiContext& ctx, const Request& request, const json::object& op) {
  using Out = std::optional<Node>;
  auto kind = optional_string(op, "op");
  COFFER_RETURN_IF_ERROR(kind);
  if (!*kind) return Status(Errc::kInvalidArgument, "op is required");
  auto id = required_id(op, "id");
  COFFER_RETURN_IF_ERROR(id);
  auto name = optional_string(op, "name");
  COFFER_RETURN_IF_ERROR(name);
  auto parent = optional_int(op, "parent_id");
  COFFER_RETURN_IF_ERROR(parent);
  const std::string& k = **kind;
  if (k == "move") {
    if (!*parent && !*name) return Status(Errc::kInvalidArgument, "give parent_id and/or name");
    auto node = ctx.files.move(request.user_id, *id, *parent,
                               *name ? std::optional<std::string_view>(**name) : std::nullopt);
    COFFER_RETURN_IF_ERROR(node);
    return Out(std::move(*node));
  }
  if (k == "copy") {
    auto node = ctx.files.copy(request.user_id, *id, *parent,
                               *name ? std::optional<std::string_view>(**name) : std::nullopt);
    COFFER_RETURN_IF_ERROR(node);
    return Out(std::move(*node));
  }
  if (k == "delete") {
    COFFER_RETURN_IF_ERROR(ctx.files.remove(request.principal, origin_of(request), *id));
    return Out();
  }
  if (k == "restore") {
    std::optional<std::string> new_name;
    if (*name) {
      auto normalized = normalize_name(**name);
      COFFER_RETURN_IF_ERROR(normalized);
      new_name = std::move(*normalized);
    }
    // The trash is the caller's own: restore acts on what they deleted.
    auto node = ctx.files.restore_trashed(request.user_id, *id, new_name);
    COFFER_RETURN_IF_ERROR(node);
    return Out(std::move(*node));
  }
  if (k == "tag") {
    auto node = retag(ctx, request, op, *id);
    COFFER_RETURN_IF_ERROR(node);
    return Out(std::move(*node));
  }
  return Status(Errc::kInvalidArgument, "op must be move, copy, delete, restore or tag");
}

Response batch(ApiContext& ctx, Request& request) {
  auto body = read_json_object(request);
  if (!body.is_ok()) return error_response(request.request_id, body.status());
  const json::value* ops = body->if_contains("operations");
  if (ops == nullptr || !ops->is_array() || ops->as_array().empty() ||
      ops->as_array().size() > kMaxOperations) {
    return error_response(
        request.request_id,
        Status(Errc::kInvalidArgument, "operations must be an array of 1 to 1000 operations"));
  }
  json::array results;
  size_t failed = 0;
  for (size_t i = 0; i < ops->as_array().size(); ++i) {
    const json::value& op = ops->as_array()[i];
    Result<std::optional<Node>> done =
        op.is_object() ? run(ctx, request, op.as_object())
                       : Status(Errc::kInvalidArgument, "an operation is a JSON object");
    json::object result{{"index", i}, {"ok", done.is_ok()}};
    if (done.is_ok()) {
      if (*done) result["node"] = node_json(**done);
    } else {
      ++failed;
      result["status"] = http_status_for(done.status().code());
      result["error"] = json::object{{"code", errc_name(done.status().code())},
                                     {"message", done.status().message()}};
    }
    results.push_back(std::move(result));
  }
  return json_response(200, json::object{{"results", std::move(results)},
                                         {"succeeded", ops->as_array().size() - failed},
                                         {"failed", failed}});
}

}  // namespace

void add_batch_routes(Router& router, ApiContext& ctx) {
  router.add("POST", "/api/v1/batch", access::kFilesWrite, bind_route(ctx, batch));
}

}  // namespace coffer::api
