// Range headers (api/range.h) against a representation size: the first line is the size in
// decimal, the rest the header value. A satisfiable range always lies inside the file.

#include <charconv>

#include "api/range.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  coffer::fuzz::FuzzInput in(data, size);
  const std::string_view size_line = in.line();
  uint64_t file_size = 1000;
  std::from_chars(size_line.data(), size_line.data() + size_line.size(), file_size);
  const auto range = coffer::api::parse_range(in.rest(), file_size);
  if (range.kind == coffer::api::ByteRange::Kind::kSatisfiable) {
    COFFER_FUZZ_CHECK(range.first <= range.last);
    COFFER_FUZZ_CHECK(range.last < file_size);
    COFFER_FUZZ_CHECK(range.length() <= file_size);
  }
  return 0;
}
