// Header values with rules of their own (api/http_headers.h, the RFC 3339 times of
// api/json_io.h): conditional-request ETag lists, HTTP dates, Accept-Encoding, declared
// digests, Content-Disposition. The first byte picks the parser; lines are its arguments.

#include "api/http_headers.h"
#include "api/json_io.h"
#include "fuzz_input.h"

namespace {

using namespace coffer;
using namespace coffer::api;

// The years HTTP dates can spell (0001 to 9999).
constexpr int64_t kFirstDate = -62135596800;
constexpr int64_t kLastDate = 253402300799;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  switch (in.byte() % 6) {
    case 0: {
      const auto t = parse_http_date(in.rest());
      if (t && *t >= kFirstDate && *t <= kLastDate) {
        COFFER_FUZZ_CHECK(parse_http_date(http_date(*t)) == *t);
      }
      break;
    }
    case 1: {
      const bool weak = in.byte() & 1;
      const std::string_view etag = in.line();
      etag_list_matches(in.rest(), etag, weak);
      break;
    }
    case 2: {
      const std::string_view coding = in.line();
      accepts_encoding(in.rest(), coding);
      break;
    }
    case 3: {
      const std::string_view content_sha256 = in.line();
      const std::string_view digest = in.line();
      const auto declared = declared_sha256(content_sha256, digest, in.rest());
      if (declared.is_ok() && declared->has_value()) COFFER_FUZZ_CHECK((*declared)->size() == 64);
      break;
    }
    case 4: {
      // A file name becomes a header value: it must never break out of it.
      const std::string header = content_disposition("attachment", in.rest());
      for (char c : header) COFFER_FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0');
      break;
    }
    case 5: {
      const auto t = parse_rfc3339(in.rest());
      if (t && *t >= kFirstDate * kMicrosPerSecond && *t <= kLastDate * kMicrosPerSecond) {
        COFFER_FUZZ_CHECK(parse_rfc3339(rfc3339(*t)) == t);
      }
      break;
    }
  }
  return 0;
}
