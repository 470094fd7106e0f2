#pragma once
// The live connections of one server: counted for the connection cap, reached on shutdown.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace coffer::http {

class Connection;

// Thread-safe. Holds weak references: a connection lives as long as its session does and
// removes itself when destroyed.
class ConnectionSet {
 public:
  using Id = uint64_t;

  ConnectionSet() = default;
  ConnectionSet(const ConnectionSet&) = delete;
  ConnectionSet& operator=(const ConnectionSet&) = delete;

  Id add(const std::shared_ptr<Connection>& connection);
  void remove(Id id);
  size_t size() const;
  // The connections still alive.
  std::vector<std::shared_ptr<Connection>> snapshot() const;
  // Calls `on_empty` once, as soon as the set is empty: at once if it is, else from the
  // remove() that empties it (on that thread). REQUIRES: no connection is added afterwards.
  void when_empty(std::function<void()> on_empty);

 private:
  mutable std::mutex mu_;
  std::unordered_map<Id, std::weak_ptr<Connection>> live_;
  Id next_id_ = 1;
  std::function<void()> on_empty_;
};

}  // namespace coffer::http
