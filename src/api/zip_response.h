#pragma once
// A streamed zip archive as a download response.

#include <memory>
#include <string>

#include "api/exchange.h"

namespace coffer::api {

Response zip_response(std::unique_ptr<ByteSource> archive, const std::string& filename);

}  // namespace coffer::api
