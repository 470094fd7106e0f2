#pragma once
// Files compiled into the binary (src/api/embedded_assets.S).

#include <string_view>

namespace coffer::api {

struct EmbeddedAsset {
  std::string_view path;  // URL path, e.g. "/docs/init.js"
  std::string_view content_type;
  std::string_view bytes;
};

// The assets served at /docs.
const EmbeddedAsset* find_embedded_asset(std::string_view path);

}  // namespace coffer::api
