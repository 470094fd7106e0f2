// The OpenAPI document and the router must describe the same API: every routed path and
// method is documented, and the document names nothing the router lacks.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <set>

#include "api/api_handler.h"
#include "api/openapi_document.h"
#include "auth/token_signer.h"
#include "meta/catalog.h"
#include "store/local_chunk_store.h"

namespace coffer::api {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST(OpenApi, DocumentMatchesTheRouter) {
  char dir_template[] = "/tmp/coffer-openapi-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  auto catalog = meta::open_sqlite_catalog(dir + "/meta.db");
  ASSERT_TRUE(catalog.is_ok()) << catalog.status().to_string();
  auto chunks = store::LocalChunkStore::open(dir + "/chunks");
  ASSERT_TRUE(chunks.is_ok()) << chunks.status().to_string();
  store::InflightChunks inflight;
  store::GcLeases leases(**chunks);
  service::FileService files(**catalog, **chunks, inflight, leases);
  const std::vector<unsigned char> key(32, 7);
  service::AuthService auth(**catalog, auth::TokenSigner("k", key, 60),
                            auth::SecretBox(key, "cofferMF"));
  service::AdminService admin(**catalog, auth);
  service::SearchService search(**catalog, files);
  Metrics metrics;
  const auth::UrlSigner url_signer(key);
  service::ShareService shares(**catalog, auth::SecretBox(key, "cofferSL"),
                               auth::UrlSigner(key, "cofferLA"), {});
  ApiHandler handler(ApiContext{files, auth, admin, shares, search, **catalog, **chunks, metrics,
                                url_signer, dir});

  std::set<std::pair<std::string, std::string>> routed;
  for (const auto& route : handler.router().routes())
    routed.insert({lower(route.method), route.pattern});

  auto doc = boost::json::parse(openapi_document());
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      documented.insert({std::string(method), std::string(path)});
      EXPECT_TRUE(op.as_object().contains("responses")) << method << " " << path;
    }
  }
  for (const auto& r : routed)
    EXPECT_TRUE(documented.contains(r)) << "undocumented: " << r.first << " " << r.second;
  for (const auto& d : documented)
    EXPECT_TRUE(routed.contains(d)) << "not routed: " << d.first << " " << d.second;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace coffer::api
