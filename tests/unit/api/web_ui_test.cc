#include "api/web_ui.h"

#include <gtest/gtest.h>

namespace coffer::api {
namespace {

Request get(std::string accept_encoding = "", std::string method = "GET") {
  Request request;
  request.method = std::move(method);
  if (!accept_encoding.empty()) request.headers.push_back({"Accept-Encoding", accept_encoding});
  return request;
}

std::string_view header(const Response& response, std::string_view name) {
  return find_header(response.headers, name);
}

TEST(WebUi, ServerPrefixesAreNeverTheUis) {
  for (std::string_view path : {"/api", "/api/v1/x", "/docs", "/docs/a.js", "/dav", "/dav/a", "/s",
                                "/s/token", "/health/live", "/metrics"}) {
    EXPECT_TRUE(is_reserved_for_server(path)) << path;
  }
  for (std::string_view path : {"/", "/files", "/files/3", "/settings", "/assets/app.js", "/apis",
                                "/docsx", "/share", "/search"}) {
    EXPECT_FALSE(is_reserved_for_server(path)) << path;
  }
}

TEST(WebUi, ClientRoutesGetIndexWithTheUiPolicy) {
  auto root = serve_web_ui(get(), "/");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->status, 200);
  EXPECT_TRUE(header(*root, "Content-Type").starts_with("text/html"));
  EXPECT_EQ(header(*root, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(*root, "Content-Security-Policy"), kWebUiContentSecurityPolicy);
  auto deep = serve_web_ui(get(), "/files/42");
  ASSERT_TRUE(deep.has_value());
  EXPECT_EQ(deep->body, root->body);
}

TEST(WebUi, AMissingAssetIsNotAnsweredWithHtml) {
  EXPECT_FALSE(serve_web_ui(get(), "/assets/app-NOTTHERE.js").has_value());
}

TEST(WebUi, EncodingFollowsAcceptEncodingAndQZeroRefuses) {
  const std::string plain = serve_web_ui(get(), "/")->body;
  EXPECT_EQ(header(*serve_web_ui(get("gzip, deflate, br"), "/"), "Content-Encoding"), "br");
  EXPECT_EQ(header(*serve_web_ui(get("br;q=0, gzip"), "/"), "Content-Encoding"), "gzip");
  EXPECT_EQ(header(*serve_web_ui(get("GZIP;q=0.5"), "/"), "Content-Encoding"), "gzip");
  EXPECT_EQ(header(*serve_web_ui(get("*"), "/"), "Content-Encoding"), "br");
  EXPECT_EQ(header(*serve_web_ui(get("*;q=0"), "/"), "Content-Encoding"), "");
  auto identity = serve_web_ui(get("identity"), "/");
  EXPECT_EQ(header(*identity, "Content-Encoding"), "");
  EXPECT_EQ(identity->body, plain);
  EXPECT_LT(serve_web_ui(get("br"), "/")->body.size(), plain.size());
}

TEST(WebUi, EachEncodingHasItsOwnValidator) {
  auto br = serve_web_ui(get("br"), "/");
  auto plain = serve_web_ui(get(), "/");
  const std::string etag(header(*br, "ETag"));
  EXPECT_NE(etag, header(*plain, "ETag"));
  Request again = get("br");
  again.headers.push_back({"If-None-Match", etag});
  auto not_modified = serve_web_ui(again, "/");
  EXPECT_EQ(not_modified->status, 304);
  EXPECT_TRUE(not_modified->body.empty());
  Request other = get();
  other.headers.push_back({"If-None-Match", etag});
  EXPECT_EQ(serve_web_ui(other, "/")->status, 200);
}

TEST(WebUi, HeadStatesTheLengthWithoutABody) {
  auto head = serve_web_ui(get("", "HEAD"), "/");
  EXPECT_TRUE(head->body.empty());
  ASSERT_TRUE(head->content_length.has_value());
  EXPECT_EQ(*head->content_length, serve_web_ui(get(), "/")->body.size());
}

TEST(WebUi, OnlyABrowsersNavigationPrefersHtml) {
  // What Chromium and Firefox send for a navigation.
  EXPECT_TRUE(prefers_html(
      "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"));
  EXPECT_TRUE(prefers_html("text/html"));
  EXPECT_TRUE(prefers_html("text/*, application/json;q=0.5"));
  EXPECT_TRUE(prefers_html("application/json;q=0.2, TEXT/HTML"));
  // Scripts: nothing, anything, JSON, or a tie.
  EXPECT_FALSE(prefers_html(""));
  EXPECT_FALSE(prefers_html("*/*"));
  EXPECT_FALSE(prefers_html("application/json"));
  EXPECT_FALSE(prefers_html("application/json, text/html"));
  EXPECT_FALSE(prefers_html("text/html;q=0.5, */*"));
  EXPECT_FALSE(prefers_html("text/html;q=0, */*;q=0.1"));
  EXPECT_FALSE(prefers_html("text/html;q=bogus"));
  EXPECT_FALSE(prefers_html("text/plain, image/png"));
}

}  // namespace
}  // namespace coffer::api
