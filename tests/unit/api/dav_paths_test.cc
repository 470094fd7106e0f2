#include "api/dav_paths.h"

#include <gtest/gtest.h>

namespace coffer::api {
namespace {

TEST(DavPathsTest, RecognisesTheDavPrefix) {
  EXPECT_TRUE(is_dav_target("/dav"));
  EXPECT_TRUE(is_dav_target("/dav/"));
  EXPECT_TRUE(is_dav_target("/dav/a/b"));
  EXPECT_FALSE(is_dav_target("/davx"));
  EXPECT_FALSE(is_dav_target("/api/v1/dav"));
}

TEST(DavPathsTest, ParsesTargetsAndDestinations) {
  auto p = parse_dav_url("/dav/a%20b/%C3%BC.txt");
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->path(), "/a b/\xC3\xBC.txt");
  EXPECT_FALSE(p->trailing_slash);
  EXPECT_EQ(p->parent().path(), "/a b");
  EXPECT_EQ(p->name(), "\xC3\xBC.txt");

  auto absolute = parse_dav_url("http://host:8080/dav/dir/");
  ASSERT_TRUE(absolute.is_ok());
  EXPECT_EQ(absolute->path(), "/dir");
  EXPECT_TRUE(absolute->trailing_slash);

  auto root = parse_dav_url("/dav/");
  ASSERT_TRUE(root.is_ok());
  EXPECT_TRUE(root->is_root());
  EXPECT_EQ(root->path(), "/");

  EXPECT_EQ(parse_dav_url("/api/v1/x").status().code(), Errc::kForbidden);
  EXPECT_EQ(parse_dav_url("/dav/a/../b").status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(parse_dav_url("/dav/a/%2E%2E/b").status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(parse_dav_url("dav/relative").status().code(), Errc::kInvalidArgument);
  EXPECT_FALSE(parse_dav_url("http://[bad").is_ok());
}

TEST(DavPathsTest, HrefsPercentEncode) {
  EXPECT_EQ(dav_href({}, true), "/dav/");
  EXPECT_EQ(dav_href({"a b", "\xC3\xBC#?.txt"}, false), "/dav/a%20b/%C3%BC%23%3F.txt");
  EXPECT_EQ(dav_href({"dir"}, true), "/dav/dir/");
  // What dav_href writes, parse_dav_url reads back.
  auto back = parse_dav_url(dav_href({"x%y", "100% & more"}, false));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->path(), "/x%y/100% & more");
}

}  // namespace
}  // namespace coffer::api
