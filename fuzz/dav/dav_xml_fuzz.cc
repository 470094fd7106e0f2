// WebDAV request bodies (dav/xml_document.h, dav/dav_requests.h): PROPFIND, PROPPATCH and
// LOCK. The first byte picks the parser. XML that Coffer keeps and writes back into its own
// answers (dead properties, lock owners, any re-serialized element) must be well-formed XML
// that reads back as itself: anything else would break every later PROPFIND.

#include "dav/dav_requests.h"
#include "dav/xml_document.h"
#include "fuzz_input.h"

namespace {

using namespace coffer;

void check_reparses(const std::string& xml) {
  auto again = dav::parse_xml(xml);
  COFFER_FUZZ_CHECK(again.is_ok());
  COFFER_FUZZ_CHECK(dav::serialize_xml(*again) == xml);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  switch (in.byte() % 4) {
    case 0:
      (void)dav::parse_propfind(in.rest());
      break;
    case 1: {
      auto updates = dav::parse_proppatch(in.rest());
      if (!updates.is_ok()) break;
      for (const auto& update : *updates) {
        if (!update.remove) check_reparses(update.xml);
      }
      break;
    }
    case 2: {
      auto lock = dav::parse_lockinfo(in.rest());
      if (lock.is_ok() && !lock->owner_xml.empty()) check_reparses(lock->owner_xml);
      break;
    }
    case 3: {
      auto document = dav::parse_xml(in.rest());
      if (document.is_ok()) check_reparses(dav::serialize_xml(*document));
      break;
    }
  }
  return 0;
}
