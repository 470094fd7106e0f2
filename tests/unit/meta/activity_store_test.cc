// The activity and usage history stores on one engine (SQLite here; PostgreSQL through
// meta_on_postgres).

#include <gtest/gtest.h>

#include "meta/migrations.h"
#include "meta/sql_catalog.h"
#include "temp_dir.h"
#include "test_database.h"

namespace coffer::meta {
namespace {

class InsightsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::open_empty_test_database(dir_.file("meta.db"));
    ASSERT_TRUE(db.is_ok()) << db.status().to_string();
    ASSERT_TRUE(migrate(**db).is_ok());
    catalog_ = std::make_unique<SqlCatalog>(std::move(*db));
    auto alice = catalog_->create_user("alice", "$argon2id$x", Role::kUser);
    auto bob = catalog_->create_user("bob", "$argon2id$y", Role::kUser);
    ASSERT_TRUE(alice.is_ok() && bob.is_ok());
    alice_ = *alice;
    bob_ = *bob;
  }

  NewActivity event(int64_t node, int64_t parent, std::string action, int64_t actor = 0,
                    Micros at = 1000) {
    NewActivity e;
    e.node_id = node;
    e.owner_id = alice_.id;
    e.actor_id = actor != 0 ? actor : alice_.id;
    e.action = std::move(action);
    e.parent_id = parent;
    e.name = "n" + std::to_string(node);
    e.detail_json = "{}";
    e.at = at;
    return e;
  }

  std::vector<int64_t> ids(const Result<std::vector<ActivityEvent>>& events) {
    EXPECT_TRUE(events.is_ok()) << events.status().to_string();
    std::vector<int64_t> out;
    if (events.is_ok()) {
      for (const auto& e : *events) out.push_back(e.id);
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqlCatalog> catalog_;
  User alice_, bob_;
};

TEST_F(InsightsStoreTest, FolderReadsIncludeDirectChildrenNewestFirst) {
  ActivityStore& store = catalog_->activity();
  // Folder 10 with child 11; 12 lies elsewhere; 13 is below 11 (a grandchild).
  ASSERT_TRUE(
      store
          .record({event(10, 1, "created"), event(11, 10, "uploaded", bob_.id),
                   event(12, 1, "uploaded"), event(13, 11, "uploaded"), event(11, 10, "renamed")})
          .is_ok());
  auto folder = store.node_events(alice_.id, 10, true, {});
  ASSERT_TRUE(folder.is_ok());
  ASSERT_EQ(folder->size(), 3u);
  EXPECT_EQ((*folder)[0].action, "renamed");
  EXPECT_EQ((*folder)[1].actor_name, "bob");
  EXPECT_EQ((*folder)[2].node_id, 10);
  EXPECT_EQ(ids(store.node_events(alice_.id, 11, false, {})).size(), 2u);
  // Another owner's id finds nothing, whatever the node.
  EXPECT_TRUE(ids(store.node_events(bob_.id, 10, true, {})).empty());
  EXPECT_EQ(ids(store.owner_events(alice_.id, {})).size(), 5u);
  EXPECT_TRUE(ids(store.owner_events(bob_.id, {})).empty());
}

TEST_F(InsightsStoreTest, KeysetPagesAndPruning) {
  ActivityStore& store = catalog_->activity();
  std::vector<NewActivity> events;
  for (int i = 0; i < 5; ++i) events.push_back(event(20, 1, "renamed", 0, 1000 + i));
  ASSERT_TRUE(store.record(events).is_ok());
  auto all = ids(store.node_events(alice_.id, 20, false, {}));
  ASSERT_EQ(all.size(), 5u);
  auto first = ids(store.node_events(alice_.id, 20, false, ActivityPage{2, std::nullopt}));
  auto second = ids(store.node_events(alice_.id, 20, false, ActivityPage{2, first.back()}));
  EXPECT_EQ(first, (std::vector<int64_t>{all[0], all[1]}));
  EXPECT_EQ(second, (std::vector<int64_t>{all[2], all[3]}));

  auto pruned = store.prune_before(1002);
  ASSERT_TRUE(pruned.is_ok());
  EXPECT_EQ(*pruned, 2);
  EXPECT_EQ(ids(store.owner_events(alice_.id, {})), (std::vector<int64_t>{all[0], all[1], all[2]}));
}

TEST_F(InsightsStoreTest, OneSamplePerDayReplacedBySameDaySamples) {
  UsageHistoryStore& history = catalog_->usage_history();
  auto root = catalog_->find_user(alice_.id);
  ASSERT_TRUE(root.is_ok());
  NewVersion v;
  v.size = 100;
  v.sha256 = std::string(64, 'a');
  v.mime = "text/plain";
  v.chunks.push_back(VersionChunk{std::string(64, 'c'), 0, 100, 40, 1});
  ASSERT_TRUE(catalog_->commit_file(alice_.id, root->root_id, "a.txt", v, 1000).is_ok());

  auto s = history.sample(20000);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->logical_bytes, 100);
  EXPECT_EQ(s->files, 1);
  ASSERT_TRUE(catalog_->commit_file(alice_.id, root->root_id, "b.txt", v, 1001).is_ok());
  ASSERT_TRUE(history.sample(20000).is_ok());
  ASSERT_TRUE(history.sample(20001).is_ok());

  auto days = history.storage_history(19000, 21000);
  ASSERT_TRUE(days.is_ok());
  ASSERT_EQ(days->size(), 2u);
  EXPECT_EQ((*days)[0].day, 20000);
  EXPECT_EQ((*days)[0].logical_bytes, 200);  // the day's latest sample
  EXPECT_EQ((*days)[0].unique_bytes, 100);
  EXPECT_EQ((*days)[0].files, 2);
  auto mine = history.user_history(alice_.id, 20000, 20000);
  ASSERT_TRUE(mine.is_ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].used_bytes, 200);
  auto bobs = history.user_history(bob_.id, 0, 30000);
  ASSERT_TRUE(bobs.is_ok());
  ASSERT_EQ(bobs->size(), 2u);
  EXPECT_EQ((*bobs)[0].used_bytes, 0);

  auto pruned = history.prune_before(20001);
  ASSERT_TRUE(pruned.is_ok());
  EXPECT_EQ(*pruned, 3);  // the installation's and both users' rows of day 20000
  EXPECT_EQ(history.storage_history(0, 30000)->size(), 1u);
}

}  // namespace
}  // namespace coffer::meta
