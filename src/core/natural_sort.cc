#include "core/natural_sort.h"

#include <cstdint>
#include <string_view>

namespace coffer {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Decodes one UTF-8 sequence at `at`; an invalid byte decodes as itself (Latin-1), so every
// input has a key.
char32_t decode(std::string_view s, size_t& at) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t b0 = byte(at);
  const auto continuation = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF && continuation(at + 1)) {
    char32_t c = (char32_t(b0 & 0x1F) << 6) | (byte(at + 1) & 0x3F);
    at += 2;
    return c;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && continuation(at + 1) && continuation(at + 2)) {
    char32_t c =
        (char32_t(b0 & 0x0F) << 12) | (char32_t(byte(at + 1) & 0x3F) << 6) | (byte(at + 2) & 0x3F);
    at += 3;
    return c;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && continuation(at + 1) && continuation(at + 2) &&
      continuation(at + 3)) {
    char32_t c = (char32_t(b0 & 0x07) << 18) | (char32_t(byte(at + 1) & 0x3F) << 12) |
                 (char32_t(byte(at + 2) & 0x3F) << 6) | (byte(at + 3) & 0x3F);
    at += 4;
    return c;
  }
  at += 1;
  return b0;
}

void encode(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Latin-1's letters U+00C0..U+00FF by their base letters, as people alphabetise them ("Äpfel"
// among the a's, "Straße" as "strasse"); × and ÷ stay themselves (empty here).
constexpr std::string_view kLatin1Letters[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};

// Appends the primary form of `c`: small letters for capitals, base letters for Latin-1's
// accented ones, Ё as Е (Russian alphabetises it there). Scripts beyond these keep their code
// points: a consistent order, if not every language's.
void append_folded(char32_t c, std::string& out) {
  if (c >= U'A' && c <= U'Z') c += 0x20;
  if (c >= 0xC0 && c <= 0xFF && !kLatin1Letters[c - 0xC0].empty()) {
    out.append(kLatin1Letters[c - 0xC0]);
    return;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) c += 0x20;  // Α..Ϋ
  if (c == 0x401 || c == 0x451) c = 0x435;                // Ё, ё
  if (c >= 0x410 && c <= 0x42F) c += 0x20;                // А..Я
  if (c >= 0x400 && c <= 0x40F) c += 0x50;                // Ѐ..Џ
  encode(c, out);
}

}  // namespace

std::string natural_sort_key(std::string_view name) {
  std::string key;
  key.reserve(name.size() * 2 + 1);
  for (size_t at = 0; at < name.size();) {
    if (is_digit(name[at])) {
      // '0', the count of significant digits in three digits, then the digits: a longer
      // number is a larger one, and numbers of one length compare digit by digit. The
      // leading '0' places the run where a digit sorts among other characters.
      size_t end = at;
      while (end < name.size() && is_digit(name[end])) ++end;
      size_t first = at;
      while (first + 1 < end && name[first] == '0') ++first;
      const size_t length = end - first;  // names are short; 999 digits is far beyond any
      key += '0';
      key += static_cast<char>('0' + length / 100 % 10);
      key += static_cast<char>('0' + length / 10 % 10);
      key += static_cast<char>('0' + length % 10);
      key.append(name.substr(first, length));
      at = end;
      continue;
    }
    append_folded(decode(name, at), key);
  }
  // Equal so far ("a1", "A01"): the name itself decides, after a byte below every other.
  key += '\x01';
  key.append(name);
  return key;
}

}  // namespace coffer
