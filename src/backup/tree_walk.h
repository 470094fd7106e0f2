#pragma once
// Lists the regular files below a directory, depth first, without following symbolic links.

#include <functional>
#include <string>

#include "core/status.h"

namespace coffer::backup {

// Calls fn with the path (`dir` + "/" + relative) of every regular file below `dir`; a missing
// `dir` has none. Stops at fn's first error. Errors: kIoError.
Status walk_files(const std::string& dir, const std::function<Status(const std::string&)>& fn);

}  // namespace coffer::backup
