#include "extract/text_buffer.h"

#include <cstdint>

namespace coffer::extract {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The length of the valid UTF-8 sequence at the start of `s`, or 0 when it is not one
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
size_t valid_sequence(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t min = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool is_blank(char c) { return c == ' ' || c == '\n' || c == '\t'; }

}  // namespace

void TextBuffer::put(std::string_view utf8_char) {
  if (full_) return;
  if (text_.size() + utf8_char.size() > max_bytes_) {
    full_ = true;
    return;
  }
  text_.append(utf8_char);
}

void TextBuffer::append(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && !full_) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;  // CRLF is one line break
        continue;
      }
      if (c == '\r' || c == '\n') {
        newline();
      } else if (c == '\t' || c == ' ' || c < 0x20 || c == 0x7F) {
        space();  // other control characters separate words like blanks do
      } else {
        put(text.substr(i, 1));
      }
      ++i;
      continue;
    }
    const size_t n = valid_sequence(text.substr(i));
    if (n == 0) {
      put(kReplacement);
      ++i;
    } else {
      put(text.substr(i, n));
      i += n;
    }
  }
}

void TextBuffer::space() {
  if (!text_.empty() && !is_blank(text_.back())) put(" ");
}

void TextBuffer::newline() {
  if (text_.empty()) return;
  if (text_.back() == ' ') text_.pop_back();
  // At most one blank line in a row.
  if (text_.size() >= 2 && text_[text_.size() - 1] == '\n' && text_[text_.size() - 2] == '\n') {
    return;
  }
  put("\n");
}

std::string TextBuffer::take() && {
  while (!text_.empty() && is_blank(text_.back())) text_.pop_back();
  return std::move(text_);
}

}  // namespace coffer::extract
