#pragma once
// COFFER_* environment variables: above the configuration file, below the flags.

#include "app/config.h"
#include "core/status.h"

namespace coffer::app {

// Sets every setting whose variable (settings.h) is set and not empty. Errors:
// kInvalidArgument naming the variable and the setting, for a value the table refuses.
Status load_environment(Config& config);

}  // namespace coffer::app
