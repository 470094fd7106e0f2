#pragma once
// What a share recipient may see of the events in another user's tree (docs/insights.md,
// "What a recipient sees"): what happened to the content, not the owner's sharing decisions
// (whom else it is shared with, links), and nothing of the owner's tree outside what the
// shares let the recipient read, nor of the time before the shares. Used by a node's activity
// and by the change feed. Not thread-safe (it remembers what it checked); one per request.

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

#include "core/activity.h"
#include "core/sharing.h"
#include "core/status.h"
#include "service/access_policy.h"

namespace coffer::service {

// Whether `action` is about a node's content (anything but sharing and links).
bool is_content_action(std::string_view action);

class RecipientView {
 public:
  RecipientView(const AccessPolicy& access, int64_t actor) : access_(access), actor_(actor) {}

  // An event of `node`'s activity, which the recipient reads through shares made at `since`:
  // the event as they may see it, or nullopt when it is left out.
  Result<std::optional<ActivityEvent>> view_of_node(ActivityEvent e, const Node& node,
                                                    Micros since);
  // An event of the change feed from a tree the recipient does not own: shown when it
  // happened inside what they may read now, after the share that lets them, and also a move
  // out of it (without where to, and with parent_id 0).
  Result<std::optional<ActivityEvent>> view_of_change(ActivityEvent e);

 private:
  // The recipient's access to `node_id` now, if any (remembered: events repeat their folders).
  Result<std::optional<Access>> access_to(int64_t node_id);
  Result<bool> readable(int64_t node_id);
  // Drops the names and ids of other nodes the detail mentions that the recipient may not read.
  Status hide_other_nodes(ActivityEvent& e);

  const AccessPolicy& access_;
  int64_t actor_;
  std::map<int64_t, std::optional<Access>> seen_;
};

}  // namespace coffer::service
