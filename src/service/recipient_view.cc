#include "service/recipient_view.h"

#include <algorithm>
#include <iterator>

#include <boost/json.hpp>

namespace coffer::service {
namespace {

namespace json = boost::json;

constexpr std::string_view kContentActions[] = {
    activity::kCreated,       activity::kUploaded,      activity::kNewVersion,
    activity::kRenamed,       activity::kMoved,         activity::kCopied,
    activity::kTagged,        activity::kStatusChanged, activity::kMetadataChanged,
    activity::kDeleted,       activity::kRestored,      activity::kVersionRestored,
    activity::kVersionDeleted};

// Detail fields naming another node, each with the name of it that comes along.
constexpr std::pair<std::string_view, std::string_view> kNodeFields[] = {
    {"from_parent_id", "old_name"}, {"to_parent_id", "new_name"}, {"source_id", "source_name"}};

// The node id a detail field holds (0 when absent).
int64_t detail_id(const std::string& detail_json, std::string_view key) {
  json::error_code ec;
  json::value detail = json::parse(detail_json, ec);
  if (ec || !detail.is_object()) return 0;
  const json::value* id = detail.as_object().if_contains(key);
  return id != nullptr && id->is_int64() ? id->as_int64() : 0;
}

}  // namespace

bool is_content_action(std::string_view action) {
  return std::find(std::begin(kContentActions), std::end(kContentActions), action) !=
         std::end(kContentActions);
}

Result<std::optional<ActivityEvent>> RecipientView::view_of_node(ActivityEvent e, const Node& node,
                                                                 Micros since) {
  using Shown = std::optional<ActivityEvent>;
  if (!is_content_action(e.action) || e.at < since) return Shown();
  auto in_parent = readable(e.parent_id);
  COFFER_RETURN_IF_ERROR(in_parent);
  if (!*in_parent) {
    // Where it happened is outside the shares. Only the shared node's own events are still
    // its content's (a new version of a shared file); where it lies, or is moved to, in the
    // owner's tree is not the recipient's to see. A node below a share whose event is outside
    // it was elsewhere then.
    if (e.node_id != node.id || e.action == activity::kMoved) return Shown();
    auto top = readable(node.parent_id);
    COFFER_RETURN_IF_ERROR(top);
    if (*top) return Shown();
    e.parent_id = 0;
  }
  COFFER_RETURN_IF_ERROR(hide_other_nodes(e));
  return Shown(std::move(e));
}

Result<std::optional<ActivityEvent>> RecipientView::view_of_change(ActivityEvent e) {
  using Shown = std::optional<ActivityEvent>;
  if (!is_content_action(e.action)) return Shown();
  auto parent = access_to(e.parent_id);
  COFFER_RETURN_IF_ERROR(parent);
  if (*parent) {
    if (e.at < (*parent)->shared_since) return Shown();
  } else if (e.action == activity::kMoved) {
    // Moved out of what they may read: they see it leave, not where to.
    auto from = access_to(detail_id(e.detail_json, "from_parent_id"));
    COFFER_RETURN_IF_ERROR(from);
    if (!*from || e.at < (*from)->shared_since) return Shown();
    e.parent_id = 0;
  } else {
    // Outside the shares, only a shared node's own content events are the recipient's (see
    // view_of_node()); it is their top, with no parent they may know.
    auto node = access_to(e.node_id);
    COFFER_RETURN_IF_ERROR(node);
    if (!*node || (*node)->share_root_id != e.node_id || e.at < (*node)->shared_since) {
      return Shown();
    }
    e.parent_id = 0;
  }
  COFFER_RETURN_IF_ERROR(hide_other_nodes(e));
  return Shown(std::move(e));
}

Result<std::optional<Access>> RecipientView::access_to(int64_t node_id) {
  if (node_id == 0) return std::optional<Access>();
  if (auto it = seen_.find(node_id); it != seen_.end()) return it->second;
  auto access = access_.check(actor_, node_id, Permission::kRead);
  if (!access.is_ok() && access.status().code() != Errc::kNotFound) return access.status();
  std::optional<Access> found;
  if (access.is_ok()) found = *access;
  return seen_[node_id] = found;
}

Result<bool> RecipientView::readable(int64_t node_id) {
  auto access = access_to(node_id);
  COFFER_RETURN_IF_ERROR(access);
  return access->has_value();
}

Status RecipientView::hide_other_nodes(ActivityEvent& e) {
  json::error_code ec;
  json::value detail = json::parse(e.detail_json, ec);
  if (ec || !detail.is_object()) return Status::ok();
  json::object& fields = detail.as_object();
  bool changed = false;
  for (const auto& [id_key, name_key] : kNodeFields) {
    const json::value* id = fields.if_contains(id_key);
    if (id == nullptr) continue;
    auto visible = id->is_int64() ? readable(id->as_int64()) : Result<bool>(false);
    COFFER_RETURN_IF_ERROR(visible);
    if (*visible) continue;
    fields.erase(id_key);
    fields.erase(name_key);
    changed = true;
  }
  if (changed) e.detail_json = json::serialize(detail);
  return Status::ok();
}

}  // namespace coffer::service
