#pragma once
// The sync clients' upload endpoints beside the WebDAV trees (docs/clients.md):
//   /remote.php/dav/uploads/{user}/{upload}/{part}  chunked uploads (Nextcloud chunking NG and
//                                                   v2): MKCOL, PUT parts, PROPFIND, DELETE,
//                                                   then MOVE {upload}/.file to the file's URL
//   /remote.php/dav/bulk                            bulk upload: POST many small files in one
//                                                   multipart/related body
// Both end in what a PUT of the whole file at its URL does (conditions, locks, X-OC-Mtime,
// checksums, versions), which the WebDAV handler lends them as a DavPutAt.

#include <functional>
#include <string_view>

#include "api/api_context.h"
#include "core/byte_source.h"

namespace coffer::api {

// Answers a PUT of `body` (`size` bytes) at `url` (a file's URL under a WebDAV mount) with the
// headers of `request`, as the WebDAV handler answers a PUT there.
using DavPutAt = std::function<Response(Request& request, std::string_view url, ByteSource& body,
                                        uint64_t size)>;

// For requests whose target is_dav_upload_target(); the caller is signed in.
Response serve_dav_upload(ApiContext& ctx, Request& request, const DavPutAt& put);

// The two endpoints (dav_chunked_upload.cc, dav_bulk_upload.cc).
Response serve_chunked_upload(ApiContext& ctx, Request& request, const DavPutAt& put);
Response serve_bulk_upload(ApiContext& ctx, Request& request, const DavPutAt& put);

}  // namespace coffer::api
