#include "app/config_env.h"

#include <cstdlib>
#include <string>

#include "app/settings.h"

namespace coffer::app {

Status load_environment(Config& config) {
  for (const Setting& setting : settings()) {
    if (setting.env.empty()) continue;
    const char* value = std::getenv(std::string(setting.env).c_str());
    if (value == nullptr || *value == '\0') continue;
    COFFER_RETURN_IF_ERROR(set_from_text(setting.env, setting, value, config));
  }
  return Status::ok();
}

}  // namespace coffer::app
