#include "dav/lock_manager.h"

#include <gtest/gtest.h>

#include "dav/if_header.h"

namespace coffer::dav {
namespace {

constexpr Micros kNow = 1'000'000'000'000;
constexpr int64_t kUser = 7;

TEST(LockManagerTest, ExclusiveLockConflictsAndNeedsItsToken) {
  LockManager locks;
  auto lock = locks.lock(kUser, "/a/b", true, false, "", 60, kNow);
  ASSERT_TRUE(lock.is_ok());
  EXPECT_TRUE(lock->token.starts_with("opaquelocktoken:"));
  auto second = locks.lock(kUser, "/a/b", false, false, "", 60, kNow);
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), Errc::kConflict);
  EXPECT_EQ(locks.check_write(kUser, "/a/b", false, {}, kNow).code(), Errc::kConflict);
  EXPECT_TRUE(locks.check_write(kUser, "/a/b", false, {lock->token}, kNow).is_ok());
  // Depth 0: a sibling and a child path are not covered; the parent's subtree is.
  EXPECT_TRUE(locks.check_write(kUser, "/a/c", false, {}, kNow).is_ok());
  EXPECT_TRUE(locks.check_write(kUser, "/a", false, {}, kNow).is_ok());
  EXPECT_EQ(locks.check_write(kUser, "/a", true, {}, kNow).code(), Errc::kConflict);
  // Another user's namespace is another world.
  EXPECT_TRUE(locks.check_write(kUser + 1, "/a/b", false, {}, kNow).is_ok());
}

TEST(LockManagerTest, SharedLocksCoexistAndAnyTokenWrites) {
  LockManager locks;
  auto one = locks.lock(kUser, "/f", false, false, "", 60, kNow);
  auto two = locks.lock(kUser, "/f", false, false, "", 60, kNow);
  ASSERT_TRUE(one.is_ok());
  ASSERT_TRUE(two.is_ok());
  EXPECT_FALSE(locks.lock(kUser, "/f", true, false, "", 60, kNow).is_ok());
  EXPECT_TRUE(locks.check_write(kUser, "/f", false, {two->token}, kNow).is_ok());
  EXPECT_EQ(locks.covering(kUser, "/f", kNow).size(), 2u);
}

TEST(LockManagerTest, InfiniteDepthCoversDescendantsAndConflictsWithThem) {
  LockManager locks;
  auto below = locks.lock(kUser, "/c/x", true, false, "", 60, kNow);
  ASSERT_TRUE(below.is_ok());
  EXPECT_FALSE(locks.lock(kUser, "/c", true, true, "", 60, kNow).is_ok());
  ASSERT_TRUE(locks.unlock(kUser, "/c/x", below->token, kNow).is_ok());
  auto tree = locks.lock(kUser, "/c", true, true, "", 60, kNow);
  ASSERT_TRUE(tree.is_ok());
  EXPECT_EQ(locks.check_write(kUser, "/c/new/file", false, {}, kNow).code(), Errc::kConflict);
  EXPECT_TRUE(locks.check_write(kUser, "/c/new/file", false, {tree->token}, kNow).is_ok());
  EXPECT_TRUE(locks.check_write(kUser, "/cc", false, {}, kNow).is_ok());  // not below /c
  // Unlock through a member names the lock too (its root is /c).
  EXPECT_TRUE(locks.unlock(kUser, "/c/x", tree->token, kNow).is_ok());
  EXPECT_TRUE(locks.covering(kUser, "/c", kNow).empty());
}

TEST(LockManagerTest, LocksExpireAndRefreshExtendsThem) {
  LockManager locks;
  auto lock = locks.lock(kUser, "/t", true, false, "", 10, kNow);
  ASSERT_TRUE(lock.is_ok());
  ASSERT_TRUE(locks.refresh(kUser, "/t", lock->token, 100, kNow + 5'000'000).is_ok());
  EXPECT_EQ(locks.covering(kUser, "/t", kNow + 50'000'000).size(), 1u);
  EXPECT_TRUE(locks.covering(kUser, "/t", kNow + 106'000'000).empty());
  EXPECT_EQ(locks.refresh(kUser, "/t", lock->token, 100, kNow + 106'000'000).status().code(),
            Errc::kPreconditionFailed);
}

TEST(LockManagerTest, ReleaseSubtreeForgetsLocksBelow) {
  LockManager locks;
  ASSERT_TRUE(locks.lock(kUser, "/d/e", true, false, "", 60, kNow).is_ok());
  ASSERT_TRUE(locks.lock(kUser, "/dd", true, false, "", 60, kNow).is_ok());
  locks.release_subtree(kUser, "/d");
  EXPECT_TRUE(locks.affecting(kUser, "/d", kNow).empty());
  EXPECT_EQ(locks.affecting(kUser, "/dd", kNow).size(), 1u);
}

TEST(TimeoutTest, ParsesAndCaps) {
  EXPECT_EQ(parse_timeout(""), LockManager::kDefaultTimeoutSeconds);
  EXPECT_EQ(parse_timeout("Second-600"), 600);
  EXPECT_EQ(parse_timeout("Infinite, Second-4100000000"), LockManager::kMaxTimeoutSeconds);
  EXPECT_EQ(parse_timeout("Second-99999999999"), LockManager::kMaxTimeoutSeconds);
  EXPECT_EQ(parse_timeout("Second-x, Second-5"), 5);
}

TEST(IfHeaderTest, ParsesTaggedAndUntaggedLists) {
  auto h = parse_if_header("(<opaquelocktoken:a> [\"e1\"]) (Not <DAV:no-lock> [\"e2\"])");
  ASSERT_TRUE(h.is_ok());
  ASSERT_EQ(h->lists.size(), 2u);
  EXPECT_FALSE(h->lists[0].resource);
  EXPECT_TRUE(h->lists[1].conditions[0].negated);
  EXPECT_EQ(h->submitted_tokens(), std::vector<std::string>{"opaquelocktoken:a"});
  auto tagged = parse_if_header("<http://h/dav/x> (<t1>) <http://h/dav/y> (<t2>)");
  ASSERT_TRUE(tagged.is_ok());
  EXPECT_EQ(*tagged->lists[1].resource, "http://h/dav/y");
  for (const char* bad : {"", "(", "()", "(<a>", "<x>", "(<a>) <x> (<b>)", "([e)"}) {
    EXPECT_FALSE(parse_if_header(bad).is_ok()) << bad;
  }
}

TEST(IfHeaderTest, Evaluates) {
  IfSubject subject;
  subject.path = "/x";
  subject.etag = "\"e\"";
  subject.token_matches = [](std::string_view t) { return t == "tok"; };
  auto path_of = [](std::string_view tag) -> std::optional<std::string> {
    return std::string(tag);
  };
  auto allows = [&](const char* header) {
    auto h = parse_if_header(header);
    EXPECT_TRUE(h.is_ok()) << header;
    return if_header_allows(*h, subject, path_of);
  };
  EXPECT_TRUE(allows("(<tok>)"));
  EXPECT_TRUE(allows("(<tok> [\"e\"])"));
  EXPECT_FALSE(allows("(<tok> [\"other\"])"));
  EXPECT_FALSE(allows("(<DAV:no-lock>)"));
  EXPECT_TRUE(allows("(<DAV:no-lock>) (Not <DAV:no-lock>)"));
  EXPECT_TRUE(allows("</y> (<nothing>)"));  // applies to another resource only
  EXPECT_FALSE(allows("</x> (<nothing>)"));
}

TEST(LockManagerTest, OwnersTimeoutsAndTheNumberOfLocksAreBounded) {
  LockManager locks;
  const std::string big(LockManager::kMaxOwnerBytes + 1, 'o');
  EXPECT_EQ(locks.lock(kUser, "/a", false, false, big, 60, kNow).status().code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(parse_timeout("Second-604800"), 86400);
  for (size_t i = 0; i < LockManager::kMaxLocksPerTree; ++i) {
    ASSERT_TRUE(locks.lock(kUser, "/a", false, false, "", 60, kNow).is_ok()) << i;
  }
  EXPECT_EQ(locks.lock(kUser, "/b", false, false, "", 60, kNow).status().code(),
            Errc::kTooManyRequests);
  // Another tree has its own budget, and expired locks make room.
  EXPECT_TRUE(locks.lock(kUser + 1, "/a", false, false, "", 60, kNow).is_ok());
  EXPECT_TRUE(locks.lock(kUser, "/b", false, false, "", 60, kNow + 61'000'000).is_ok());
}

}  // namespace
}  // namespace coffer::dav
