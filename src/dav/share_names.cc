#include "dav/share_names.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "core/name_rules.h"

namespace coffer::dav {

std::vector<std::string> shared_entry_names(const std::vector<ShareNameInput>& shares) {
  std::vector<size_t> order(shares.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return shares[a].share_id < shares[b].share_id; });
  std::vector<std::string> names(shares.size());
  std::set<std::string> taken;
  for (size_t i : order) {
    std::string candidate = shares[i].name;
    for (int n = 2; taken.contains(candidate); ++n)
      candidate = numbered_name(shares[i].name, n, !shares[i].folder);
    taken.insert(candidate);
    names[i] = std::move(candidate);
  }
  return names;
}

}  // namespace coffer::dav
