#pragma once
// What the libFuzzer harnesses share: an input taken apart field by field, a stream that hands
// it out in reads of irregular sizes (so that code reading a stream is fuzzed across read
// boundaries as well as across bytes), and a check that stops the run with a message.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>

#include "core/byte_source.h"

// A property the code under test promises; a violation is a finding like a crash.
#define COFFER_FUZZ_CHECK(condition)                                                     \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace coffer::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  // The next byte; 0 once the input is used up.
  uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // The text up to the next '\n' (without it), or all that is left.
  std::string_view line() {
    const size_t end = rest_.find('\n');
    std::string_view out = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + 1);
    return out;
  }
  std::string_view rest() const { return rest_; }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// Hands `data` out in reads of 1 to 64 bytes, sizes drawn from `seed` (0: as much as asked).
class PiecewiseSource : public ByteSource {
 public:
  PiecewiseSource(std::string_view data, uint8_t seed) : data_(data), state_(seed) {}

  Result<size_t> read(std::span<std::byte> buf) override {
    size_t n = std::min(buf.size(), data_.size());
    if (state_ != 0) {
      state_ = state_ * 1103515245u + 12345u;
      n = std::min<size_t>(n, 1 + (state_ >> 16) % 64);
    }
    std::memcpy(buf.data(), data_.data(), n);
    data_.remove_prefix(n);
    return n;
  }
  bool at_end() const { return data_.empty(); }

 private:
  std::string_view data_;
  uint32_t state_;
};

}  // namespace coffer::fuzz
