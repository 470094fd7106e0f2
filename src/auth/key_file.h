#pragma once
// The server's master secret: 32 random bytes in <data>/secrets/token.key (mode 0600),
// created on first start, or in the file --secret-key-file names. Every node of a cluster
// must share it (docs/deploy.md). Access
// tokens are signed with it directly; other secrets (the TOTP box) use keys derived from it, so
// one file is all an operator copies or rotates.

#include <string>
#include <vector>

#include "core/status.h"

namespace coffer::auth {

// Reads the key, creating it durably (write, fsync, rename) if it does not exist.
// Errors: kIoError, kCorruption (not 32 bytes).
Result<std::vector<unsigned char>> load_or_create_key(const std::string& path);

// Reads a key that must already exist: a key file an operator configured and distributes to
// every node is never made up by one of them. Errors: kInvalidArgument (missing), kIoError,
// kCorruption (not 32 bytes). Messages name the path, never the contents.
Result<std::vector<unsigned char>> load_key(const std::string& path);

}  // namespace coffer::auth
