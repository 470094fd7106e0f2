// File activity in the domain: operations are recorded with their actor once they succeed,
// readers see what happened before they asked, and a database that cannot store activity
// fails no operation (the loss is reported instead).

#include "service/activity_log.h"
#include "service/change_feed.h"

#include <gtest/gtest.h>

#include <atomic>

#include "meta/sql_catalog.h"
#include "service/file_service.h"
#include "sqlite_catalog_test.h"

namespace coffer::service {
namespace {

using store::testing::MemoryChunkStore;

class ActivityLogTest : public testing::SqliteCatalogTest {
 protected:
  void SetUp() override {
    SqliteCatalogTest::SetUp();
    auto alice = catalog_->create_user("alice", "$argon2id$hash", Role::kUser);
    auto bob = catalog_->create_user("bob", "$argon2id$hash", Role::kUser);
    ASSERT_TRUE(alice.is_ok() && bob.is_ok());
    alice_ = *alice;
    bob_ = *bob;
    log_ =
        std::make_unique<ActivityLog>(*catalog_, [this](const Status&, size_t n) { lost_ += n; });
    files_ = std::make_unique<FileService>(*catalog_, chunks_, inflight_, leases_);
    files_->set_activity(log_.get());
  }

  std::vector<std::string> actions(int64_t actor, int64_t node) {
    auto events = log_->node_activity(actor, node, {});
    EXPECT_TRUE(events.is_ok()) << events.status().to_string();
    std::vector<std::string> out;
    if (events.is_ok()) {
      for (auto it = events->rbegin(); it != events->rend(); ++it) out.push_back(it->action);
    }
    return out;
  }

  MemoryChunkStore chunks_;
  store::InflightChunks inflight_;
  store::GcLeases leases_{chunks_};
  std::atomic<size_t> lost_{0};
  std::unique_ptr<ActivityLog> log_;
  std::unique_ptr<FileService> files_;
  User alice_, bob_;
};

TEST_F(ActivityLogTest, OperationsAreRecordedOnceTheySucceed) {
  auto folder = files_->create_folder(alice_.id, alice_.root_id, "Docs");
  ASSERT_TRUE(folder.is_ok());
  auto renamed = files_->move(alice_.id, folder->id, std::nullopt, "Papers");
  ASSERT_TRUE(renamed.is_ok());
  // Failures are not activity: a name that is taken, a node someone else cannot see.
  ASSERT_TRUE(files_->create_folder(alice_.id, alice_.root_id, "Other").is_ok());
  EXPECT_EQ(files_->move(alice_.id, folder->id, std::nullopt, "Other").status().code(),
            Errc::kNameConflict);
  EXPECT_EQ(files_->move(bob_.id, folder->id, std::nullopt, "Mine").status().code(),
            Errc::kNotFound);
  EXPECT_EQ(actions(alice_.id, folder->id), (std::vector<std::string>{"created", "renamed"}));
  // The same answer as the file routes for someone without access.
  EXPECT_EQ(log_->node_activity(bob_.id, folder->id, {}).status().code(), Errc::kNotFound);
  auto events = log_->node_activity(alice_.id, folder->id, {});
  ASSERT_TRUE(events.is_ok());
  EXPECT_EQ(events->front().detail_json, R"({"old_name":"Docs","new_name":"Papers"})");
  EXPECT_EQ(events->front().actor_name, "alice");
  EXPECT_EQ(lost_.load(), 0u);
}

// A recipient sees what happened to the content since the share, inside it: not the owner's
// sharing and links, not what came before, not where the shared folder lies.
TEST_F(ActivityLogTest, RecipientsSeeContentEventsInsideTheShareSinceItWasMade) {
  auto team = files_->create_folder(alice_.id, alice_.root_id, "Team");
  ASSERT_TRUE(team.is_ok());
  ASSERT_TRUE(catalog_->shares()
                  .put_share(alice_.id, team->id, bob_.id, 0, Permission::kRead, now_micros())
                  .is_ok());
  log_->record(activity_of(*team, alice_.id, activity::kShared,
                           activity_detail({{"recipient", std::string("carol")}})));
  log_->record(activity_of(*team, alice_.id, activity::kLinkCreated));
  auto sub = files_->create_folder(alice_.id, team->id, "Sub");
  ASSERT_TRUE(sub.is_ok());
  auto renamed = files_->move(alice_.id, team->id, std::nullopt, "Team 2025");
  ASSERT_TRUE(renamed.is_ok());

  EXPECT_EQ(actions(alice_.id, team->id),
            (std::vector<std::string>{"created", "shared", "link_created", "created", "renamed"}));
  EXPECT_EQ(actions(bob_.id, team->id), (std::vector<std::string>{"created", "renamed"}));
  auto seen = log_->node_activity(bob_.id, team->id, {});
  ASSERT_TRUE(seen.is_ok() && seen->size() == 2);
  EXPECT_EQ(seen->back().node_id, sub->id);
  EXPECT_EQ(seen->front().parent_id, 0);  // the owner's root, outside the share
  // Pages stay full when events are left out.
  auto one = log_->node_activity(bob_.id, team->id, ActivityPage{1, seen->front().id});
  ASSERT_TRUE(one.is_ok() && one->size() == 1);
  EXPECT_EQ(one->front().id, seen->back().id);
}

// The change feed: each change once, in order, from a position; a recipient sees inside the
// share only; a position older than the activity kept is refused.
TEST_F(ActivityLogTest, TheChangeFeedReportsEachChangeInOrderFromAPosition) {
  ChangeFeed feed(*catalog_, *log_, /*retention=*/86'400 * kMicrosPerSecond);
  auto start = feed.latest();
  ASSERT_TRUE(start.is_ok());
  auto team = files_->create_folder(alice_.id, alice_.root_id, "Team");
  auto mine = files_->create_folder(alice_.id, alice_.root_id, "Mine");
  ASSERT_TRUE(team.is_ok() && mine.is_ok());
  ASSERT_TRUE(catalog_->shares()
                  .put_share(alice_.id, team->id, bob_.id, 0, Permission::kRead, now_micros())
                  .is_ok());
  auto sub = files_->create_folder(alice_.id, team->id, "Sub");
  ASSERT_TRUE(sub.is_ok());
  ASSERT_TRUE(files_->move(alice_.id, mine->id, std::nullopt, "Private").is_ok());
  ASSERT_TRUE(files_->remove(Principal{.user_id = alice_.id}, {}, sub->id).is_ok());

  auto kinds = [&](int64_t actor, FeedPosition from, int scan) {
    std::vector<std::string> out;
    auto page = feed.after(actor, from, scan);
    EXPECT_TRUE(page.is_ok()) << page.status().to_string();
    if (page.is_ok()) {
      for (const Change& c : page->changes) {
        out.push_back(std::string(change_kind_name(c.kind)) + " " + c.event.name);
      }
    }
    return out;
  };
  EXPECT_EQ(kinds(alice_.id, *start, 100),
            (std::vector<std::string>{"created Team", "created Mine", "created Sub",
                                      "moved Private", "deleted Sub"}));
  EXPECT_EQ(kinds(bob_.id, *start, 100), (std::vector<std::string>{"created Sub", "deleted Sub"}));

  // Two at a time: the pages follow each other, the last says nothing more is waiting.
  auto first = feed.after(alice_.id, *start, 2);
  ASSERT_TRUE(first.is_ok());
  EXPECT_TRUE(first->more);
  EXPECT_EQ(kinds(alice_.id, first->next, 100).front(), "created Sub");
  auto last = feed.after(alice_.id, first->next, 100);
  ASSERT_TRUE(last.is_ok());
  EXPECT_FALSE(last->more);
  EXPECT_TRUE(feed.after(alice_.id, last->next, 100)->changes.empty());

  FeedPosition ancient{start->id, now_micros() - 2 * 86'400 * kMicrosPerSecond};
  EXPECT_EQ(feed.after(alice_.id, ancient, 100).status().code(), Errc::kExpired);
  ChangeFeed forever(*catalog_, *log_, 0);
  EXPECT_TRUE(forever.after(alice_.id, ancient, 100).is_ok());
}

TEST_F(ActivityLogTest, AStoreThatFailsFailsNoOperation) {
  auto& sql = dynamic_cast<meta::SqlCatalog&>(*catalog_);
  ASSERT_TRUE(
      sql.database()
          .transact(meta::TxMode::kSchema,
                    [](meta::Connection& conn) { return conn.exec_script("DROP TABLE activity"); })
          .is_ok());
  auto folder = files_->create_folder(alice_.id, alice_.root_id, "Docs");
  ASSERT_TRUE(folder.is_ok()) << folder.status().to_string();
  ASSERT_TRUE(files_->move(alice_.id, folder->id, std::nullopt, "Papers").is_ok());
  log_->flush();
  EXPECT_EQ(lost_.load(), 2u);
  // Reading fails with the store's error; the tree is as the operations left it.
  EXPECT_FALSE(log_->node_activity(alice_.id, folder->id, {}).is_ok());
  EXPECT_EQ(files_->stat(alice_.id, folder->id)->name, "Papers");
}

}  // namespace
}  // namespace coffer::service
