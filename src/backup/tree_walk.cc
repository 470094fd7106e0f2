#include "backup/tree_walk.h"

#include <dirent.h>

#include <cerrno>
#include <vector>

#include "store/file_io.h"

namespace coffer::backup {

Status walk_files(const std::string& dir, const std::function<Status(const std::string&)>& fn) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::ok();
    return store::io_error("open directory", dir, errno);
  }
  // Read whole before descending: fn may remove files, and fewer directories stay open.
  std::vector<std::string> files;
  std::vector<std::string> subdirs;
  while (dirent* entry = ::readdir(d)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (entry->d_type == DT_DIR) {
      subdirs.push_back(dir + "/" + name);
    } else if (entry->d_type == DT_REG) {
      files.push_back(dir + "/" + name);
    }
  }
  ::closedir(d);
  for (const std::string& file : files) COFFER_RETURN_IF_ERROR(fn(file));
  for (const std::string& sub : subdirs) COFFER_RETURN_IF_ERROR(walk_files(sub, fn));
  return Status::ok();
}

}  // namespace coffer::backup
