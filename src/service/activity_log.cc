#include "service/activity_log.h"

#include "service/recipient_view.h"

#include <boost/json.hpp>

namespace coffer::service {
namespace {

namespace json = boost::json;

// Far more than a busy server queues while one transaction commits; past it the database is
// failing or stalled, and memory matters more than activity.
constexpr size_t kMaxQueued = 100'000;

json::value to_json(const ActivityValue& v) {
  return std::visit(
      [](const auto& x) -> json::value {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          json::array a;
          for (const auto& s : x) a.emplace_back(s);
          return a;
        } else {
          return json::value(x);
        }
      },
      v);
}

// Events scanned per read when some are left out: the largest page.
constexpr int kRecipientScan = 200;

}  // namespace

std::string activity_detail(std::initializer_list<ActivityField> fields) {
  json::object o;
  for (const auto& [key, value] : fields) o[key] = to_json(value);
  return json::serialize(o);
}

NewActivity activity_of(const Node& node, int64_t actor, std::string_view action,
                        std::string detail_json) {
  NewActivity e;
  e.node_id = node.id;
  e.owner_id = node.owner_id;
  e.actor_id = actor;
  e.action = std::string(action);
  e.parent_id = node.parent_id;
  e.name = node.name;
  e.detail_json = detail_json.empty() ? "{}" : std::move(detail_json);
  e.at = now_micros();
  return e;
}

ActivityLog::ActivityLog(meta::Catalog& catalog, ErrorSink on_error)
    : catalog_(catalog), access_(catalog), on_error_(std::move(on_error)) {
  writer_ = std::thread([this] { run(); });
}

ActivityLog::~ActivityLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void ActivityLog::record(NewActivity event) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      ++queued_;
      ++done_;
      if (on_error_) on_error_(Status(Errc::kUnavailable, "the activity queue is full"), 1);
      return;
    }
    queue_.push_back(std::move(event));
    ++queued_;
  }
  wake_.notify_one();
}

void ActivityLog::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is stored
    std::vector<NewActivity> batch;
    batch.swap(queue_);
    lock.unlock();
    Status s = catalog_.activity().record(batch);
    if (!s.is_ok() && on_error_) on_error_(s, batch.size());
    lock.lock();
    done_ += batch.size();
    written_.notify_all();
    lock.unlock();
    changes_.notify();
    lock.lock();
  }
}

void ActivityLog::flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = queued_;
  written_.wait(lock, [&] { return done_ >= target; });
}

Result<std::vector<ActivityEvent>> ActivityLog::node_activity(int64_t actor, int64_t node_id,
                                                              const ActivityPage& page) {
  Node node;
  auto access = access_.check(actor, node_id, Permission::kRead, &node);
  COFFER_RETURN_IF_ERROR(access);
  flush();
  const bool folder = node.kind == NodeKind::kFolder;
  if (access->owned()) {
    return catalog_.activity().node_events(access->owner_id, node_id, folder, page);
  }

  // A recipient: read on until the page is full of what they may see, or nothing is left.
  RecipientView recipient(access_, actor);
  const Micros since = access->shared_since;
  std::vector<ActivityEvent> out;
  ActivityPage scan{kRecipientScan, page.before};
  for (;;) {
    auto events = catalog_.activity().node_events(access->owner_id, node_id, folder, scan);
    COFFER_RETURN_IF_ERROR(events);
    if (events->empty()) return out;
    const int64_t last_id = events->back().id;
    for (ActivityEvent& e : *events) {
      // This event and every one stored before it happened before the shares.
      if (e.at < since - ActivityLog::kQueueSlack) return out;
      auto shown = recipient.view_of_node(std::move(e), node, since);
      COFFER_RETURN_IF_ERROR(shown);
      if (!*shown) continue;
      out.push_back(std::move(**shown));
      if (static_cast<int>(out.size()) == page.limit) return out;
    }
    if (static_cast<int>(events->size()) < scan.limit) return out;
    scan.before = last_id;
  }
}

Result<std::vector<ActivityEvent>> ActivityLog::own_activity(int64_t actor,
                                                             const ActivityPage& page) {
  flush();
  return catalog_.activity().owner_events(actor, page);
}

Result<int64_t> ActivityLog::prune_before(Micros cutoff) {
  return catalog_.activity().prune_before(cutoff);
}

}  // namespace coffer::service
