#pragma once
// The member names of /dav/Shared: one per share visible to the user, named after the shared
// node. Names that collide are told apart by share age: the share with the smallest id keeps
// the plain name, the next ones get " (2)", " (3)", … before a file's extension
// ("report (2).pdf", "Photos (2)"), skipping names already taken. The same set of shares
// therefore always gets the same names; revoking one may rename younger ones of the same name.

#include <cstdint>
#include <string>
#include <vector>

namespace coffer::dav {

struct ShareNameInput {
  int64_t share_id = 0;
  std::string name;  // the shared node's name (NFC)
  bool folder = false;
};

// The entry names, in the order of `shares`. Share ids must be distinct.
std::vector<std::string> shared_entry_names(const std::vector<ShareNameInput>& shares);

}  // namespace coffer::dav
