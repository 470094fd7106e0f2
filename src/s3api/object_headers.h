#pragma once
// The headers S3 stores with an object and sends back with it: user metadata (x-amz-meta-*)
// and Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires. Kept
// with the version as a JSON object (versions.object_headers); Content-Type is the version's
// declared type.

#include <string>
#include <vector>

#include "api/exchange.h"
#include "core/status.h"

namespace coffer::s3api {

// User metadata may be at most this large (names and values), as on S3.
inline constexpr size_t kMaxUserMetadataBytes = 2048;

// The storable headers of a request, as JSON ("" when none). Errors: kInvalidArgument
// (MetadataTooLarge).
Result<std::string> stored_headers(const std::vector<api::Header>& headers);

// Adds the headers `stored` (stored_headers' JSON) holds to `response`.
void add_stored_headers(const std::string& stored, api::Response& response);

}  // namespace coffer::s3api
