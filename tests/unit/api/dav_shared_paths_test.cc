#include "api/dav_shared_paths.h"

#include <gtest/gtest.h>

namespace coffer::api {
namespace {

using Segments = std::vector<std::string>;

TEST(DavTreeTest, TheCallersOwnTreeMapsOneToOne) {
  const DavTree own{7, {}, "/"};
  EXPECT_EQ(own.owner_path({}), "/");
  EXPECT_EQ(own.owner_path({"a", "b c"}), "/a/b c");
  EXPECT_EQ(own.view_segments("/"), Segments{});
  EXPECT_EQ(own.view_segments("/a/b c"), (Segments{"a", "b c"}));
}

TEST(DavTreeTest, ASharedTreeMapsBelowTheSharedNode) {
  const DavTree shared{9, {"Shared", "Photos (2)"}, "/Private/Photos"};
  EXPECT_EQ(shared.owner_path({"Shared", "Photos (2)"}), "/Private/Photos");
  EXPECT_EQ(shared.owner_path({"Shared", "Photos (2)", "2024", "a.jpg"}),
            "/Private/Photos/2024/a.jpg");
  EXPECT_EQ(shared.view_segments("/Private/Photos/2024/a.jpg"),
            (Segments{"Shared", "Photos (2)", "2024", "a.jpg"}));
  EXPECT_EQ(shared.view_segments("/Private/Photos"), (Segments{"Shared", "Photos (2)"}));
}

TEST(DavTreeTest, NothingAboveOrBesideTheSharedNodeLeaks) {
  const DavTree shared{9, {"Shared", "Photos"}, "/Private/Photos"};
  // A lock on the owner's root or on a folder above shows as rooted at the shared node.
  EXPECT_EQ(shared.view_segments("/"), (Segments{"Shared", "Photos"}));
  EXPECT_EQ(shared.view_segments("/Private"), (Segments{"Shared", "Photos"}));
  // A sibling whose name starts the same is not inside.
  EXPECT_EQ(shared.view_segments("/Private/Photos old/x"), (Segments{"Shared", "Photos"}));
}

}  // namespace
}  // namespace coffer::api
