#include "service/damaged_chunks.h"

#include <algorithm>

namespace coffer::service {

void DamagedChunks::record(const Sighting& sighting, Micros now) {
  {
    std::lock_guard lock(mu_);
    ++total_;
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.chunk == sighting.chunk; });
    if (it == entries_.end()) {
      if (entries_.size() >= kCapacity) {
        // A linear scan of at most kCapacity entries, only when a new chunk is found damaged.
        entries_.erase(std::min_element(
            entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return a.last_seen < b.last_seen; }));
      }
      entries_.push_back(Entry{sighting.chunk, now, now, 0, 0, 0, {}});
      it = entries_.end() - 1;
    }
    it->last_seen = now;
    ++it->count;
    it->file_id = sighting.file_id;
    it->version_id = sighting.version_id;
    it->error = sighting.error.message();
  }
  if (listener_) listener_(sighting);
}

uint64_t DamagedChunks::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

std::vector<DamagedChunks::Entry> DamagedChunks::recent() const {
  std::vector<Entry> out;
  {
    std::lock_guard lock(mu_);
    out = entries_;
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Entry& a, const Entry& b) { return a.last_seen > b.last_seen; });
  return out;
}

}  // namespace coffer::service
