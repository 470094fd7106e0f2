#include "auth/password_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace coffer::auth {
namespace {

// Passwords of ten or more characters that top the public breach corpora (lower-case; the
// check ignores case). A short list by design: its job is to refuse the obvious, not to be a
// breach database.
constexpr std::array<std::string_view, 60> kCommonPasswords = {
    "1234567890",   "12345678910",      "123456789a",   "1q2w3e4r5t",    "1qaz2wsx3edc",
    "0987654321",   "1111111111",       "0000000000",   "1234512345",    "1234554321",
    "1234567891",   "12345qwert",       "123qweasdzxc", "abcd123456",    "abc1234567",
    "qwertyuiop",   "qwerty1234",       "qwerty12345",  "qwertyuiop1",   "q1w2e3r4t5",
    "qwe123qwe123", "asdfghjkl1",       "asdfghjkl;",   "zxcvbnm123",    "password12",
    "password123",  "password1234",     "password!",    "password01",    "passw0rd123",
    "p@ssw0rd123",  "iloveyou12",       "iloveyou123",  "princess123",   "football123",
    "baseball123",  "welcome123",       "welcome1234",  "sunshine123",   "letmein123",
    "monkey12345",  "dragon12345",      "superman123",  "michael123",    "starwars123",
    "computer123",  "trustno1234",      "changeme123",  "administrator", "admin12345",
    "adminadmin",   "admin123456",      "rootroot12",   "1234qwerasdf",  "qazwsxedcrfv",
    "1q2w3e4r5t6y", "passwordpassword", "aaaaaaaaaa",   "abcdefghij",    "coffer12345",
};

// Counts UTF-8 code points: NIST counts characters, not bytes.
size_t utf8_chars(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Status check_password_policy(std::string_view password, std::string_view username) {
  if (password.size() > kMaxPasswordBytes) {
    return Status(Errc::kWeakPassword, "the password is longer than 1024 bytes");
  }
  if (utf8_chars(password) < kMinPasswordChars) {
    return Status(Errc::kWeakPassword, "the password must be at least 10 characters");
  }
  const std::string folded = lower(password);
  if (!username.empty() && folded == lower(username)) {
    return Status(Errc::kWeakPassword, "the password must not be the username");
  }
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), folded) !=
      kCommonPasswords.end()) {
    return Status(Errc::kWeakPassword, "the password is too common; choose another");
  }
  return Status::ok();
}

}  // namespace coffer::auth
