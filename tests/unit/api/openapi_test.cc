// The OpenAPI document and the router must describe the same API: every routed path and
// method is documented, and the document names nothing the router lacks.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "api/openapi_document.h"
#include "api_fixture.h"

namespace coffer::api {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST(OpenApi, DocumentMatchesTheRouter) {
  ApiFixture fixture;
  const ApiHandler& handler = fixture.handler();

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
}

}  // namespace
}  // namespace coffer::api
