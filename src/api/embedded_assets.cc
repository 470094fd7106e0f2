#include "api/embedded_assets.h"

#include <array>

#define COFFER_DECLARE_ASSET(name) extern "C" const char name##_begin[], name##_end[];
COFFER_DECLARE_ASSET(coffer_asset_docs_html)
COFFER_DECLARE_ASSET(coffer_asset_docs_init_js)
COFFER_DECLARE_ASSET(coffer_asset_swagger_js)
COFFER_DECLARE_ASSET(coffer_asset_swagger_css)
#undef COFFER_DECLARE_ASSET

namespace coffer::api {
namespace {

std::string_view bytes(const char* begin, const char* end) {
  return {begin, static_cast<size_t>(end - begin)};
}

}  // namespace

const EmbeddedAsset* find_embedded_asset(std::string_view path) {
  static const std::array<EmbeddedAsset, 4> kAssets{{
      {"/docs", "text/html; charset=utf-8",
       bytes(coffer_asset_docs_html_begin, coffer_asset_docs_html_end)},
      {"/docs/init.js", "text/javascript; charset=utf-8",
       bytes(coffer_asset_docs_init_js_begin, coffer_asset_docs_init_js_end)},
      {"/docs/swagger-ui-bundle.js", "text/javascript; charset=utf-8",
       bytes(coffer_asset_swagger_js_begin, coffer_asset_swagger_js_end)},
      {"/docs/swagger-ui.css", "text/css; charset=utf-8",
       bytes(coffer_asset_swagger_css_begin, coffer_asset_swagger_css_end)},
  }};
  for (const auto& asset : kAssets) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace coffer::api
