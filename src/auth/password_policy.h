#pragma once
// Which passwords Coffer accepts, after NIST SP 800-63B §5.1.1.2: length is what matters (at
// least 10 characters, at most 1024 bytes), no composition rules, and no password from a list
// of the most common ones (or the account's own name).

#include <string_view>

#include "core/status.h"

namespace coffer::auth {

inline constexpr size_t kMinPasswordChars = 10;
inline constexpr size_t kMaxPasswordBytes = 1024;

// Errors: kWeakPassword, with a message that says which rule failed (never the password).
Status check_password_policy(std::string_view password, std::string_view username = {});

}  // namespace coffer::auth
