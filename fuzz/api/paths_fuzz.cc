// Paths and names from outside: WebDAV request targets and Destination URLs
// (api/dav_paths.h), file names (core/name_rules.h) and search queries (core/search.h). The
// first byte picks the parser. An accepted path survives the round trip through an href; an
// accepted name is already in its normal form and is a single safe segment.

#include <cctype>

#include "api/dav_paths.h"
#include "core/name_rules.h"
#include "core/search.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coffer;
  fuzz::FuzzInput in(data, size);
  switch (in.byte() % 3) {
    case 0: {
      auto path = api::parse_dav_url(in.rest());
      if (!path.is_ok()) break;
      for (const std::string& segment : path->segments) {
        COFFER_FUZZ_CHECK(!segment.empty() && segment != "." && segment != "..");
        COFFER_FUZZ_CHECK(segment.find('/') == std::string::npos);
      }
      auto again = api::parse_dav_url(api::dav_href(path->mount, path->segments, true));
      COFFER_FUZZ_CHECK(again.is_ok());
      COFFER_FUZZ_CHECK(again->segments == path->segments);
      COFFER_FUZZ_CHECK(again->mount == path->mount && again->mount_user == path->mount_user);
      break;
    }
    case 1: {
      auto name = normalize_name(in.rest());
      if (!name.is_ok()) break;
      COFFER_FUZZ_CHECK(!name->empty() && name->size() <= 255);
      COFFER_FUZZ_CHECK(*name != "." && *name != "..");
      for (char c : *name) COFFER_FUZZ_CHECK(c != '/' && static_cast<unsigned char>(c) >= 0x20);
      auto again = normalize_name(*name);
      COFFER_FUZZ_CHECK(again.is_ok() && *again == *name);
      break;
    }
    case 2: {
      auto query = parse_search_query(in.rest());
      if (query.is_ok()) {
        // Only word characters reach an index's query language: nothing to inject.
        for (const auto& term : query->terms) {
          COFFER_FUZZ_CHECK(!term.words.empty());
          for (const std::string& word : term.words) {
            for (unsigned char c : word) COFFER_FUZZ_CHECK(std::isalnum(c) || c >= 0x80);
          }
        }
      }
      break;
    }
  }
  return 0;
}
