#pragma once
// The names an archive stores: every caller path becomes a relative UTF-8 path that is safe
// to extract anywhere and unique in the archive.

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/status.h"

namespace coffer::archive {

class ZipNamer {
 public:
  // Returns the stored name for the next entry, in archive order; folders get a trailing '/'.
  //  - Sanitised, not refused: a leading '/' and empty or "." components are dropped, ".."
  //    becomes "_", and backslashes (a separator to Windows tools) and control characters
  //    become '_'.
  //  - A name already taken — by a file, a folder, or a folder implied by another path —
  //    gets " (2)", " (3)", … before its extension (folders: at the end). When a folder is
  //    renamed, the entries under its path that follow get the new folder name.
  // REQUIRES: a folder's contents follow its own entry (depth first), as any tree walk
  // gives; two folders with the same path are told apart only by that order.
  // kInvalidName when the path is not UTF-8, nothing is left of it, or it exceeds 65,535
  // bytes (the zip name field).
  Result<std::string> assign(std::string_view path, bool is_folder);

 private:
  std::string with_suffix(const std::string& path, bool is_folder, int n) const;

  std::unordered_set<std::string> taken_;  // stored paths and their parents, no trailing '/'
  // Sanitised folder path as given -> the path it was stored under, for the renamed ones.
  std::unordered_map<std::string, std::string> renamed_folders_;
};

}  // namespace coffer::archive
