#include "dav/lock_manager.h"

#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iterator>

namespace coffer::dav {
namespace {

std::string new_lock_token() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) std::abort();           // no randomness: nothing safe to do
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // UUID version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[64];
  std::snprintf(
      out, sizeof out,
      "opaquelocktoken:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
      b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
      b[15]);
  return out;
}

bool contains(const std::vector<std::string>& tokens, std::string_view token) {
  for (const auto& t : tokens) {
    if (t == token) return true;
  }
  return false;
}

Status locked(const Lock& lock) { return Status(Errc::kConflict, "locked: " + lock.root); }

}  // namespace

bool path_within(std::string_view path, std::string_view root) {
  if (root == "/") return true;
  if (!path.starts_with(root)) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

bool Lock::covers(std::string_view path) const {
  return path == root || (infinite && path_within(path, root));
}

void LockManager::expire(Micros now) {
  for (auto it = by_token_.begin(); it != by_token_.end();) {
    it = it->second.second.expires <= now ? by_token_.erase(it) : std::next(it);
  }
}

Result<Lock> LockManager::lock(int64_t user_id, const std::string& path, bool exclusive,
                               bool infinite, std::string owner_xml, int64_t timeout_seconds,
                               Micros now) {
  if (owner_xml.size() > kMaxOwnerBytes) {
    return Status(Errc::kInvalidArgument, "a lock's owner may be at most 4 KiB");
  }
  std::lock_guard guard(mu_);
  expire(now);
  size_t held = 0;
  for (const auto& [token, entry] : by_token_) {
    const auto& [user, other] = entry;
    if (user != user_id) continue;
    ++held;
    const bool overlaps = other.covers(path) || (infinite && path_within(other.root, path));
    if (overlaps && (exclusive || other.exclusive)) return locked(other);
  }
  if (held >= kMaxLocksPerTree) {
    return Status::too_many_requests("1,000 locks are held in this tree: release some first", 60);
  }
  Lock lock;
  lock.token = new_lock_token();
  lock.root = path;
  lock.exclusive = exclusive;
  lock.infinite = infinite;
  lock.owner_xml = std::move(owner_xml);
  lock.timeout_seconds = timeout_seconds;
  lock.expires = now + timeout_seconds * 1'000'000;
  by_token_.emplace(lock.token, std::pair{user_id, lock});
  return lock;
}

Result<Lock> LockManager::refresh(int64_t user_id, std::string_view path, std::string_view token,
                                  int64_t timeout_seconds, Micros now) {
  std::lock_guard guard(mu_);
  expire(now);
  auto it = by_token_.find(std::string(token));
  if (it == by_token_.end() || it->second.first != user_id || !it->second.second.covers(path)) {
    return Status(Errc::kPreconditionFailed, "no such lock on this resource");
  }
  Lock& lock = it->second.second;
  lock.timeout_seconds = timeout_seconds;
  lock.expires = now + timeout_seconds * 1'000'000;
  return lock;
}

Status LockManager::unlock(int64_t user_id, std::string_view path, std::string_view token,
                           Micros now) {
  std::lock_guard guard(mu_);
  expire(now);
  auto it = by_token_.find(std::string(token));
  if (it == by_token_.end() || it->second.first != user_id || !it->second.second.covers(path)) {
    return Status(Errc::kConflict, "the lock token does not name a lock on this resource");
  }
  by_token_.erase(it);
  return Status::ok();
}

std::vector<Lock> LockManager::covering(int64_t user_id, std::string_view path, Micros now) {
  std::lock_guard guard(mu_);
  expire(now);
  std::vector<Lock> out;
  for (const auto& [token, entry] : by_token_) {
    if (entry.first == user_id && entry.second.covers(path)) out.push_back(entry.second);
  }
  return out;
}

std::vector<Lock> LockManager::affecting(int64_t user_id, std::string_view path, Micros now) {
  std::lock_guard guard(mu_);
  expire(now);
  std::vector<Lock> out;
  for (const auto& [token, entry] : by_token_) {
    if (entry.first != user_id) continue;
    if (entry.second.covers(path) || path_within(entry.second.root, path)) {
      out.push_back(entry.second);
    }
  }
  return out;
}

Status LockManager::check_write(int64_t user_id, std::string_view path, bool subtree,
                                const std::vector<std::string>& tokens, Micros now) {
  std::vector<Lock> involved =
      subtree ? affecting(user_id, path, now) : covering(user_id, path, now);
  // Group by the resource each lock is rooted at: an exclusive lock needs its own token; of
  // the shared locks on one root, any one token will do.
  std::map<std::string, std::vector<const Lock*>> by_root;
  for (const Lock& lock : involved) by_root[lock.root].push_back(&lock);
  for (const auto& [root, locks] : by_root) {
    bool held = false;
    for (const Lock* lock : locks) held = held || contains(tokens, lock->token);
    if (!held) return locked(*locks.front());
  }
  return Status::ok();
}

void LockManager::release_subtree(int64_t user_id, std::string_view path) {
  std::lock_guard guard(mu_);
  for (auto it = by_token_.begin(); it != by_token_.end();) {
    const bool gone = it->second.first == user_id && path_within(it->second.second.root, path);
    it = gone ? by_token_.erase(it) : std::next(it);
  }
}

int64_t parse_timeout(std::string_view header) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "Infinite") return LockManager::kMaxTimeoutSeconds;
    if (item.starts_with("Second-")) {
      item.remove_prefix(7);
      int64_t seconds = 0;
      auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), seconds);
      if (ec == std::errc() && p == item.data() + item.size() && seconds > 0) {
        return std::min(seconds, LockManager::kMaxTimeoutSeconds);
      }
    }
  }
  return LockManager::kDefaultTimeoutSeconds;
}

}  // namespace coffer::dav
