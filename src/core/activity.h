#pragma once
// File activity: who did what to a node, and when. Events are written after an operation
// succeeded and never hold secrets (no link tokens, no passwords): `detail` is a small JSON
// object such as {"old_name": "a.txt", "new_name": "b.txt"}.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace coffer {

// The stable action names clients switch on (docs/insights.md).
namespace activity {
inline constexpr std::string_view kCreated = "created";  // a folder
inline constexpr std::string_view kUploaded = "uploaded";
inline constexpr std::string_view kNewVersion = "new_version";
inline constexpr std::string_view kRenamed = "renamed";
inline constexpr std::string_view kMoved = "moved";
inline constexpr std::string_view kCopied = "copied";
inline constexpr std::string_view kTagged = "tagged";
inline constexpr std::string_view kStatusChanged = "status_changed";
inline constexpr std::string_view kMetadataChanged = "metadata_changed";
inline constexpr std::string_view kDeleted = "deleted";
inline constexpr std::string_view kRestored = "restored";
inline constexpr std::string_view kVersionRestored = "version_restored";
inline constexpr std::string_view kVersionDeleted = "version_deleted";
inline constexpr std::string_view kShared = "shared";
inline constexpr std::string_view kUnshared = "unshared";
inline constexpr std::string_view kLinkCreated = "link_created";
inline constexpr std::string_view kLinkRemoved = "link_removed";
}  // namespace activity

// An event to record. `parent_id` and `name` are the node's at the time, so that a folder's
// activity lists its children's events even after they moved away or were deleted.
struct NewActivity {
  int64_t node_id = 0;
  int64_t owner_id = 0;  // whose tree the node is in
  int64_t actor_id = 0;  // who acted (the owner, or a share recipient)
  std::string action;
  int64_t parent_id = 0;  // 0: none (a root folder)
  std::string name;
  std::string detail_json;  // a JSON object; "" for none
  Micros at = 0;
};

struct ActivityEvent {
  int64_t id = 0;
  int64_t node_id = 0;
  int64_t owner_id = 0;
  int64_t actor_id = 0;
  std::string actor_name;  // the actor's username ("" when the account is gone)
  std::string action;
  int64_t parent_id = 0;
  std::string name;
  std::string detail_json;
  Micros at = 0;
};

// One page of events, newest first: those with an id below `before` (all when unset).
struct ActivityPage {
  int limit = 50;
  std::optional<int64_t> before;
};

}  // namespace coffer
