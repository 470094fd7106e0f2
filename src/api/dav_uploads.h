#pragma once
// The sync clients' upload endpoints beside the WebDAV trees (docs/clients.md):
//   /remote.php/dav/uploads/{user}/{upload}/{part}  chunked uploads (Nextcloud chunking NG and
//                                                   v2): MKCOL, PUT parts, PROPFIND, DELETE,
//                                                   then MOVE {upload}/.file to the file's URL
//   /remote.php/dav/bulk                            bulk upload: POST many small files in one
//                                                   multipart/related body
// Both end in what a PUT of the whole file at its URL does (conditions, locks, X-OC-Mtime,
// checksums, versions), which the WebDAV handler lends them (DavPuts): chunked uploads as the
// whole PUT, bulk uploads as its preparation, since they commit their files together.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/api_context.h"
#include "core/byte_source.h"
#include "core/model.h"
#include "service/file_service.h"

namespace coffer::api {

// Answers a PUT of `body` (`size` bytes) at `url` (a file's URL under a WebDAV mount) with the
// headers of `request`, as the WebDAV handler answers a PUT there.
using DavPutAt = std::function<Response(Request& request, std::string_view url, ByteSource& body,
                                        uint64_t size)>;

// What a PUT at a URL decides before it reads its body (its target, conditions, locks and
// sync-client headers), for a caller that stores and commits the body itself (bulk uploads,
// which commit their files together).
struct DavPreparedPut {
  service::UploadRequest upload;  // everything but the body
  bool created = false;           // no file was there (201 and Location, else 204)
  std::string location;           // the file's URL under its mount
  bool mtime_accepted = false;    // X-OC-Mtime was given
};
// Prepares a PUT of `size` bytes at `url` with the headers of `request`: the upload to make,
// or the response refusing it (as a PUT there would be refused).
using DavPrepareAt = std::function<std::variant<DavPreparedPut, Response>(
    Request& request, std::string_view url, uint64_t size)>;

// What the WebDAV handler lends the upload endpoints.
struct DavPuts {
  DavPutAt put;
  DavPrepareAt prepare;
};

// The answer to a PUT prepared as `put` whose upload committed as `node`.
Response dav_put_response(const DavPreparedPut& put, const Node& node);

// For requests whose target is_dav_upload_target(); the caller is signed in.
Response serve_dav_upload(ApiContext& ctx, Request& request, const DavPuts& puts);

// The two endpoints (dav_chunked_upload.cc, dav_bulk_upload.cc).
Response serve_chunked_upload(ApiContext& ctx, Request& request, const DavPutAt& put);
Response serve_bulk_upload(ApiContext& ctx, Request& request, const DavPrepareAt& prepare);

}  // namespace coffer::api
