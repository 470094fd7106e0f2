#pragma once
// The server's master secret: 32 random bytes in <data>/secrets/token.key (mode 0600),
// created on first start. Every node of a cluster must share it (docs/deploy.md). Access
// tokens are signed with it directly; other secrets (the TOTP box) use keys derived from it, so
// one file is all an operator copies or rotates.

#include <string>
#include <vector>

#include "core/status.h"

namespace coffer::auth {

// Reads the key, creating it durably (write, fsync, rename) if it does not exist.
// Errors: kIoError, kCorruption (not 32 bytes).
Result<std::vector<unsigned char>> load_or_create_key(const std::string& path);

}  // namespace coffer::auth
