// Config's derived values (config.h).

#include <algorithm>
#include <thread>

#include "app/config.h"

namespace coffer::app {

unsigned Config::handler_threads() const {
  if (worker_threads != 0) return worker_threads;
  const unsigned per_core = 8 * std::max(1u, std::thread::hardware_concurrency());
  if (!database_url.empty() || storage_url.starts_with("s3://")) return std::max(64u, per_core);
  return std::clamp(per_core, 16u, 128u);
}

int Config::read_connections() const { return static_cast<int>(handler_threads() + io_threads); }

}  // namespace coffer::app
