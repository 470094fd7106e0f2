#include "dav/share_names.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace coffer::dav {
namespace {

// "name (n)" for folders; "stem (n).ext" for files with an extension.
std::string numbered(const ShareNameInput& share, int n) {
  const std::string suffix = " (" + std::to_string(n) + ")";
  const size_t dot = share.name.rfind('.');
  if (share.folder || dot == std::string::npos || dot == 0) return share.name + suffix;
  return share.name.substr(0, dot) + suffix + share.name.substr(dot);
}

}  // namespace

std::vector<std::string> shared_entry_names(const std::vector<ShareNameInput>& shares) {
  std::vector<size_t> order(shares.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return shares[a].share_id < shares[b].share_id; });
  std::vector<std::string> names(shares.size());
  std::set<std::string> taken;
  for (size_t i : order) {
    std::string candidate = shares[i].name;
    for (int n = 2; taken.contains(candidate); ++n) candidate = numbered(shares[i], n);
    taken.insert(candidate);
    names[i] = std::move(candidate);
  }
  return names;
}

}  // namespace coffer::dav
