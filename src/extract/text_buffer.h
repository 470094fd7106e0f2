#pragma once
// Collects extracted text: repairs UTF-8 (invalid sequences become U+FFFD), drops control
// characters other than newline and tab, folds runs of blank space, and stops at a byte cap
// (never inside a character).

#include <cstddef>
#include <string>
#include <string_view>

namespace coffer::extract {

class TextBuffer {
 public:
  explicit TextBuffer(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Appends text of unknown validity.
  void append(std::string_view text);
  // Separates what follows from what came before: a space, or a newline.
  void space();
  void newline();

  bool full() const { return full_; }
  std::string take() &&;

 private:
  void put(std::string_view utf8_char);

  size_t max_bytes_;
  std::string text_;
  bool full_ = false;
};

}  // namespace coffer::extract
