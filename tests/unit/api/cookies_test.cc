#include "api/cookies.h"

#include <gtest/gtest.h>

namespace coffer::api {
namespace {

TEST(Cookies, FindsOneValueAmongMany) {
  const std::string_view header = "a=1; coffer_refresh=cfr_xyz;coffer_csrf=\"q\" ; empty=";
  EXPECT_EQ(cookie_value(header, "coffer_refresh"), "cfr_xyz");
  EXPECT_EQ(cookie_value(header, "coffer_csrf"), "q");
  EXPECT_EQ(cookie_value(header, "empty"), "");
  EXPECT_EQ(cookie_value(header, "coffer"), std::nullopt);
  EXPECT_EQ(cookie_value("", "a"), std::nullopt);
  EXPECT_EQ(cookie_value("novalue; a=2", "a"), "2");
}

TEST(Cookies, SetCookieIsStrictAndScoped) {
  EXPECT_EQ(set_cookie("coffer_refresh", "v", {"/api/v1/auth", 60, true, true}),
            "coffer_refresh=v; Path=/api/v1/auth; Max-Age=60; HttpOnly; Secure; SameSite=Strict");
  EXPECT_EQ(set_cookie("c", "", {"/", 0, false, false}), "c=; Path=/; Max-Age=0; SameSite=Strict");
}

}  // namespace
}  // namespace coffer::api
