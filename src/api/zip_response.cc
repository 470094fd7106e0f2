#include "api/zip_response.h"

#include "api/http_headers.h"

namespace coffer::api {

Response zip_response(std::unique_ptr<ByteSource> archive, const std::string& filename) {
  Response response;
  response.set_header("Content-Type", "application/zip");
  response.set_header("Content-Disposition", content_disposition("attachment", filename));
  response.set_header("Cache-Control", "private, no-store");
  response.stream = std::move(archive);  // no content_length: chunked
  return response;
}

}  // namespace coffer::api
