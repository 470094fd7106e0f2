// The WebDAV If header (dav/if_header.h), parsed and evaluated against a resource.

#include "dav/if_header.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coffer;
  fuzz::FuzzInput in(data, size);
  auto header = dav::parse_if_header(in.rest());
  if (!header.is_ok()) return 0;
  (void)header->submitted_tokens();
  const dav::IfSubject subject{"/docs/a.txt", "\"etag-1\"", [](std::string_view token) {
                                 return token == "opaquelocktoken:lock-1";
                               }};
  (void)dav::if_header_allows(*header, subject,
                              [](std::string_view tag) -> std::optional<std::string> {
                                if (!tag.starts_with('/')) return std::nullopt;
                                return std::string(tag);
                              });
  return 0;
}
