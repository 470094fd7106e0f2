#pragma once
// The little XML that S3 answers with: error documents and ListObjectsV2 pages. Parsed with
// expat (entities decoded, malformed documents rejected); only the elements named below are
// read, everything else is ignored.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coffer::s3 {

struct ErrorDocument {
  std::string code;     // e.g. "NoSuchKey", "SignatureDoesNotMatch"; empty if none
  std::string message;  // the service's text
};

// Parses <Error><Code>…</Code><Message>…</Message></Error>. A body that is not such a
// document gives empty fields.
ErrorDocument parse_error_document(std::string_view xml);

struct ListedObject {
  std::string key;
  uint64_t size = 0;
  int64_t last_modified_unix = 0;
};

struct ListPage {
  std::vector<ListedObject> objects;
  bool truncated = false;
  std::string next_continuation_token;
};

// Parses a ListBucketResult (ListObjectsV2). Errors: kIoError (not well-formed, or a field
// with an unexpected value).
Result<ListPage> parse_list_page(std::string_view xml);

// "2009-10-12T17:50:30.000Z" (ISO 8601, UTC) or an RFC 7231 HTTP-date to Unix seconds.
std::optional<int64_t> parse_iso8601(std::string_view text);
std::optional<int64_t> parse_http_date(std::string_view text);

}  // namespace coffer::s3
