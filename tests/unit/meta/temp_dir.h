#pragma once
// The unit tests' temporary directory (tests/unit/temp_dir.h), by the name the meta tests use.

#include "../temp_dir.h"

namespace coffer::meta::testing {

using ::coffer::testing::TempDir;

}  // namespace coffer::meta::testing
