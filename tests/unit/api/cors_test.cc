#include "api/cors.h"

#include <gtest/gtest.h>

namespace coffer::api {
namespace {

Request request_from(std::string method, std::string origin, bool preflight = false) {
  Request request;
  request.method = std::move(method);
  request.target = "/api/v1/folders/root";
  if (!origin.empty()) request.headers.push_back({"Origin", std::move(origin)});
  if (preflight) request.headers.push_back({"Access-Control-Request-Method", "PUT"});
  return request;
}

bool has_cors_header(const Response& response) {
  for (const auto& h : response.headers) {
    if (h.name.starts_with("Access-Control-")) return true;
  }
  return false;
}

TEST(CorsPolicy, WithoutOriginsAddsNothing) {
  CorsPolicy none;
  EXPECT_FALSE(none.enabled());
  Request preflight = request_from("OPTIONS", "https://app.example", true);
  EXPECT_FALSE(none.is_preflight(preflight));
  Response response;
  none.decorate(request_from("GET", "https://app.example"), response);
  EXPECT_TRUE(response.headers.empty());
}

TEST(CorsPolicy, RefusesMalformedOrigins) {
  for (const char* origin : {"https://app.example/", "https://app.example/x", "app.example",
                             "ftp://app.example", "https://", "https://u@app.example", ""}) {
    EXPECT_FALSE(CorsPolicy::from_origins({origin}).is_ok()) << origin;
  }
  EXPECT_TRUE(CorsPolicy::from_origins({"http://localhost:5173", "https://[::1]:8443"}).is_ok());
}

TEST(CorsPolicy, AnswersThePreflightOfAListedOriginOnly) {
  auto policy = CorsPolicy::from_origins({"https://App.Example"});
  ASSERT_TRUE(policy.is_ok());
  Request preflight = request_from("OPTIONS", "https://app.example", true);
  ASSERT_TRUE(policy->is_preflight(preflight));
  Response response = policy->preflight(preflight);
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(find_header(response.headers, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(find_header(response.headers, "Access-Control-Allow-Credentials"), "true");
  EXPECT_NE(find_header(response.headers, "Access-Control-Allow-Headers").find("X-CSRF-Token"),
            std::string_view::npos);
  EXPECT_FALSE(find_header(response.headers, "Access-Control-Max-Age").empty());
  EXPECT_EQ(find_header(response.headers, "Vary"), "Origin");

  EXPECT_FALSE(policy->is_preflight(request_from("OPTIONS", "https://app.example.evil", true)));
  EXPECT_FALSE(policy->is_preflight(request_from("OPTIONS", "http://app.example", true)));
  EXPECT_FALSE(policy->is_preflight(request_from("OPTIONS", "https://app.example")));
}

TEST(CorsPolicy, DecoratesResponsesAndVariesOnOrigin) {
  auto policy = CorsPolicy::from_origins({"https://app.example"});
  ASSERT_TRUE(policy.is_ok());
  Response allowed;
  allowed.set_header("Vary", "Accept-Encoding");
  policy->decorate(request_from("GET", "https://app.example"), allowed);
  EXPECT_EQ(find_header(allowed.headers, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(find_header(allowed.headers, "Vary"), "Accept-Encoding, Origin");
  EXPECT_FALSE(find_header(allowed.headers, "Access-Control-Expose-Headers").empty());

  Response other;
  policy->decorate(request_from("GET", "https://evil.example"), other);
  EXPECT_FALSE(has_cors_header(other));
  EXPECT_EQ(find_header(other.headers, "Vary"), "Origin");
}

TEST(CorsPolicy, AnyOriginNeverAllowsCredentials) {
  auto policy = CorsPolicy::from_origins({"*"});
  ASSERT_TRUE(policy.is_ok());
  Request preflight = request_from("OPTIONS", "https://anywhere.example", true);
  ASSERT_TRUE(policy->is_preflight(preflight));
  Response response = policy->preflight(preflight);
  EXPECT_EQ(find_header(response.headers, "Access-Control-Allow-Origin"), "*");
  EXPECT_TRUE(find_header(response.headers, "Access-Control-Allow-Credentials").empty());
  Response plain;
  policy->decorate(request_from("GET", "https://anywhere.example"), plain);
  EXPECT_EQ(find_header(plain.headers, "Access-Control-Allow-Origin"), "*");
  EXPECT_TRUE(find_header(plain.headers, "Access-Control-Allow-Credentials").empty());
}

}  // namespace
}  // namespace coffer::api
