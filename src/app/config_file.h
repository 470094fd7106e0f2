#pragma once
// The optional TOML configuration file: the lowest-precedence source after the built-in
// defaults (flags and COFFER_* variables override it).

#include <string>

#include "app/config.h"
#include "core/status.h"

namespace coffer::app {

// Reads `path` into `config`, leaving fields the file does not mention unchanged. Errors:
// kInvalidArgument for syntax errors, unknown keys and values of the wrong type or range, so
// a typo never silently falls back to a default.
Status load_config_file(const std::string& path, Config& config);

// The --config value from the command line (or COFFER_CONFIG), if any. Looked up before the
// real parse because the file supplies the defaults that parse starts from.
std::string find_config_path(int argc, char** argv);

}  // namespace coffer::app
