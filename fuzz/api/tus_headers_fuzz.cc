// tus header values (api/tus_headers.h): Upload-Length and Upload-Offset, Upload-Metadata,
// Upload-Checksum. The first byte picks the header.

#include "api/tus_headers.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coffer;
  fuzz::FuzzInput in(data, size);
  switch (in.byte() % 3) {
    case 0:
      (void)api::parse_tus_number("Upload-Length", in.rest());
      break;
    case 1: {
      auto metadata = api::parse_upload_metadata(in.rest());
      if (metadata.is_ok()) {
        for (const auto& [key, value] : *metadata) {
          COFFER_FUZZ_CHECK(!key.empty());
          COFFER_FUZZ_CHECK(key.find_first_of(", ") == std::string::npos);
          COFFER_FUZZ_CHECK(value.size() <= in.rest().size());
        }
      }
      break;
    }
    case 2: {
      auto checksum = api::parse_upload_checksum(in.rest());
      if (checksum.is_ok() && checksum->has_value()) COFFER_FUZZ_CHECK((*checksum)->size() == 64);
      break;
    }
  }
  return 0;
}
