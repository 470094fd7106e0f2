// multipart/form-data bodies (api/multipart.h), streamed in reads of irregular sizes: the
// first byte seeds the read sizes, the first line is the Content-Type, the rest the body.

#include <vector>

#include "api/multipart.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coffer;
  fuzz::FuzzInput in(data, size);
  const uint8_t seed = in.byte();
  const auto boundary = api::multipart_boundary(in.line());
  if (!boundary) return 0;
  fuzz::PiecewiseSource body(in.rest(), seed);
  api::MultipartReader reader(body, *boundary);
  std::vector<std::byte> buf(1 + seed % 97);
  for (int parts = 0; parts < 1000; ++parts) {
    auto part = reader.next_part();
    if (!part.is_ok() || !part->has_value()) break;
    // Every part's content ends: a read never returns more than asked, nor forever.
    size_t total = 0;
    for (;;) {
      auto n = reader.read(buf);
      if (!n.is_ok() || *n == 0) break;
      COFFER_FUZZ_CHECK(*n <= buf.size());
      total += *n;
      COFFER_FUZZ_CHECK(total <= size);
    }
  }
  return 0;
}
