#include "api/dav_paths.h"

#include <gtest/gtest.h>

namespace coffer::api {
namespace {

TEST(DavPathsTest, RecognisesTheDavPrefix) {
  EXPECT_TRUE(is_dav_target("/dav"));
  EXPECT_TRUE(is_dav_target("/dav/"));
  EXPECT_TRUE(is_dav_target("/dav/a/b"));
  EXPECT_TRUE(is_dav_target("/remote.php/webdav/a"));
  EXPECT_TRUE(is_dav_target("/remote.php/dav/files/alice/"));
  EXPECT_FALSE(is_dav_target("/remote.php/dav/files/"));
  EXPECT_FALSE(is_dav_target("/remote.php/other"));
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
  EXPECT_EQ(parse_dav_url("/remote.php/dav/files/").status().code(), Errc::kForbidden);
  EXPECT_EQ(parse_dav_url("/dav/a/../b").status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(parse_dav_url("/dav/a/%2E%2E/b").status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(parse_dav_url("dav/relative").status().code(), Errc::kInvalidArgument);
  EXPECT_FALSE(parse_dav_url("http://[bad").is_ok());
}

TEST(DavPathsTest, ParsesTheSyncClientMounts) {
  auto webdav = parse_dav_url("/remote.php/webdav/a/b.txt");
  ASSERT_TRUE(webdav.is_ok());
  EXPECT_EQ(webdav->mount, "/remote.php/webdav");
  EXPECT_EQ(webdav->mount_user, "");
  EXPECT_EQ(webdav->path(), "/a/b.txt");
  EXPECT_EQ(webdav->parent().mount, "/remote.php/webdav");

  auto files = parse_dav_url("http://host/remote.php/dav/files/J%C3%BCrgen%20K/dir/");
  ASSERT_TRUE(files.is_ok());
  EXPECT_EQ(files->mount, "/remote.php/dav/files/J%C3%BCrgen%20K");
  EXPECT_EQ(files->mount_user, "J\xC3\xBCrgen K");
  EXPECT_EQ(files->path(), "/dir");
  EXPECT_EQ(dav_href(files->mount, files->segments, true),
            "/remote.php/dav/files/J%C3%BCrgen%20K/dir/");

  auto user_root = parse_dav_url("/remote.php/dav/files/alice");
  ASSERT_TRUE(user_root.is_ok());
  EXPECT_TRUE(user_root->is_root());
  EXPECT_EQ(user_root->mount_user, "alice");
}

TEST(DavPathsTest, HrefsPercentEncode) {
  EXPECT_EQ(dav_href("/dav", {}, true), "/dav/");
  EXPECT_EQ(dav_href("/dav", {"a b", "\xC3\xBC#?.txt"}, false), "/dav/a%20b/%C3%BC%23%3F.txt");
  EXPECT_EQ(dav_href("/dav", {"dir"}, true), "/dav/dir/");
  // What dav_href writes, parse_dav_url reads back.
  auto back = parse_dav_url(dav_href("/dav", {"x%y", "100% & more"}, false));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->path(), "/x%y/100% & more");
}

// Found by fuzz/api/paths_fuzz.cc: "%2F" decoded into a segment made one name of two ("b/c"),
// which no file can be called; such a path is malformed, as Apache httpd treats it by default.
TEST(DavPathsTest, AnEncodedSlashMadeASegmentOfTwoNames) {
  for (std::string_view url :
       {"/dav/a/b%2fc", "/dav/a/b%2Fc/", "http://h/dav/%2F", "/remote.php/dav/files/al%2Fice/x"}) {
    auto path = parse_dav_url(url);
    ASSERT_FALSE(path.is_ok()) << url;
    EXPECT_EQ(path.status().code(), Errc::kInvalidArgument) << url;
  }
  auto path = parse_dav_url("/dav/a/b%25c");
  ASSERT_TRUE(path.is_ok());
  EXPECT_EQ(path->segments, (std::vector<std::string>{"a", "b%c"}));
}

}  // namespace
}  // namespace coffer::api
