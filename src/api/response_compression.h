#pragma once
// Compression of the server's own answers (JSON and XML: listings, PROPFIND, search, the
// OpenAPI document) when the client accepts it: zstd when offered, else gzip (RFC 9110
// §8.4). Bodies in memory from kMinCompressedBytes up, streamed bodies (a PROPFIND of a large
// folder) always, compressed as they are pulled, so a stream stays a stream.
//
// Only responses marked `compressible` (json_response, the WebDAV XML answers, the OpenAPI
// document) are touched: file contents never are, whatever their type. They are served with
// their own ETags, ranges and digests, and what users store is often compressed already.

#include <cstddef>

#include "api/exchange.h"

namespace coffer::api {

inline constexpr size_t kMinCompressedBytes = 1024;

// Compresses `response` for `request` when both allow it; sets Content-Encoding and
// Vary: Accept-Encoding. Leaves everything else as it was.
void compress_response(const Request& request, Response& response);

}  // namespace coffer::api
