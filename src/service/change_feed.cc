#include "service/change_feed.h"

#include <algorithm>

#include "service/recipient_view.h"

namespace coffer::service {
std::string_view change_kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kCreated:
      return "created";
    case ChangeKind::kUpdated:
      return "updated";
    case ChangeKind::kMoved:
      return "moved";
    case ChangeKind::kDeleted:
      return "deleted";
    case ChangeKind::kShared:
      return "shared";
    case ChangeKind::kUnshared:
      return "unshared";
  }
  return "updated";
}

std::optional<ChangeKind> change_kind_of(std::string_view action) {
  using namespace activity;
  if (action == kCreated || action == kUploaded || action == kCopied || action == kRestored) {
    return ChangeKind::kCreated;
  }
  if (action == kNewVersion || action == kTagged || action == kStatusChanged ||
      action == kMetadataChanged || action == kVersionRestored || action == kVersionDeleted) {
    return ChangeKind::kUpdated;
  }
  if (action == kRenamed || action == kMoved) return ChangeKind::kMoved;
  if (action == kDeleted) return ChangeKind::kDeleted;
  if (action == kShared || action == kLinkCreated) return ChangeKind::kShared;
  if (action == kUnshared || action == kLinkRemoved) return ChangeKind::kUnshared;
  return std::nullopt;
}

Result<FeedPosition> ChangeFeed::latest() {
  const Micros now = now_micros();
  log_.flush();
  auto id = catalog_.activity().latest_id();
  COFFER_RETURN_IF_ERROR(id);
  return FeedPosition{*id, now};
}

Result<ChangePage> ChangeFeed::after(int64_t actor, FeedPosition from, int scan) {
  const Micros now = now_micros();
  if (retention_ > 0 && from.at - ActivityLog::kQueueSlack < now - retention_) {
    return Status(Errc::kExpired,
                  "the cursor is older than the activity kept; list again and start from a new "
                  "cursor");
  }
  // Whose trees: the actor's, and those of everybody sharing something with them now.
  auto shared = catalog_.shares().shared_with(actor);
  COFFER_RETURN_IF_ERROR(shared);
  std::vector<int64_t> owners{actor};
  for (const SharedWithMe& s : *shared) owners.push_back(s.share.owner_id);
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());

  log_.flush();
  auto events = catalog_.activity().events_after(owners, from.id, scan);
  COFFER_RETURN_IF_ERROR(events);
  ChangePage page;
  page.more = static_cast<int>(events->size()) == scan;
  // Caught up, every later event happens from now on; else from the last one read on.
  page.next.id = events->empty() ? from.id : events->back().id;
  page.next.at = page.more ? events->back().at : now;
  RecipientView recipient(access_, actor);
  for (ActivityEvent& e : *events) {
    auto kind = change_kind_of(e.action);
    if (!kind) continue;
    if (e.owner_id != actor) {
      auto shown = recipient.view_of_change(std::move(e));
      COFFER_RETURN_IF_ERROR(shown);
      if (!*shown) continue;
      page.changes.push_back({*kind, std::move(**shown)});
    } else {
      page.changes.push_back({*kind, std::move(e)});
    }
  }
  return page;
}

}  // namespace coffer::service
