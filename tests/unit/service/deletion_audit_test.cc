// Deletions are audited in the domain, whatever the protocol: every deletion (and every node a
// WebDAV overwrite replaces) is an audit event naming the credential, a client crossing the
// mass-deletion threshold is flagged once, and a log that cannot record fails no deletion.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "meta/sql_catalog.h"
#include "service/audit_log.h"
#include "service/file_service.h"
#include "sqlite_catalog_test.h"

namespace coffer::service {
namespace {

using store::testing::MemoryChunkStore;

class DeletionAuditTest : public testing::SqliteCatalogTest {
 protected:
  void SetUp() override {
    SqliteCatalogTest::SetUp();
    auto alice = catalog_->create_user("alice", "$argon2id$hash", Role::kUser);
    ASSERT_TRUE(alice.is_ok());
    alice_ = *alice;
    audit_ = std::make_unique<AuditLog>(catalog_->accounts());
    audit_->set_failure_listener([this](const AuditEvent&, const Status&) { ++not_recorded_; });
    files_ = std::make_unique<FileService>(*catalog_, chunks_, inflight_, leases_);
    files_->set_audit(audit_.get(), /*mass_delete_threshold=*/2);
  }

  Node folder(const std::string& name) {
    auto made = files_->create_folder(alice_.id, alice_.root_id, name);
    EXPECT_TRUE(made.is_ok()) << made.status().to_string();
    return made.is_ok() ? *made : Node{};
  }

  // The events of `action`, oldest first, as "target detail".
  std::vector<std::string> events(const std::string& action) {
    meta::AuditQuery query;
    query.action = action;
    query.oldest_first = true;
    auto listed = catalog_->accounts().list_audit(query);
    EXPECT_TRUE(listed.is_ok()) << listed.status().to_string();
    std::vector<std::string> out;
    if (listed.is_ok()) {
      for (const AuditEvent& e : *listed) out.push_back(e.target + " " + e.detail);
    }
    return out;
  }

  MemoryChunkStore chunks_;
  store::InflightChunks inflight_;
  store::GcLeases leases_{chunks_};
  User alice_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<FileService> files_;
  std::atomic<int> not_recorded_{0};
};

TEST_F(DeletionAuditTest, EveryDeletionNamesItsCredentialAndAMassDeletionIsFlaggedOnce) {
  const Principal script{.user_id = alice_.id, .api_token_id = 5};
  const Principal s3{.user_id = alice_.id, .s3_key_id = 3};
  std::vector<Node> made;
  for (const char* name : {"a", "b", "c", "d"}) made.push_back(folder(name));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(files_->remove(script, {}, made[i].id).is_ok());
  ASSERT_TRUE(files_->remove(s3, {}, made[3].id).is_ok());

  EXPECT_EQ(
      events("files.delete"),
      (std::vector<std::string>{"node:" + std::to_string(made[0].id) + " folder via api token 5",
                                "node:" + std::to_string(made[1].id) + " folder via api token 5",
                                "node:" + std::to_string(made[2].id) + " folder via api token 5",
                                "node:" + std::to_string(made[3].id) + " folder via s3 key 3"}));
  // The third deletion by the token crossed the threshold of two; the fourth, by another
  // credential, is counted apart.
  EXPECT_EQ(events("files.mass_delete"),
            (std::vector<std::string>{"token:5 3 nodes deleted within a minute"}));
  EXPECT_EQ(not_recorded_.load(), 0);
}

TEST_F(DeletionAuditTest, ANodeAnOverwriteReplacesIsAuditedAsADeletion) {
  const Principal sync{.user_id = alice_.id, .api_token_id = 9};
  Node from = folder("from");
  Node there = folder("there");
  auto moved = files_->transfer(sync, {}, meta::Transfer::kMove, from.id, alice_.root_id, "there",
                                /*overwrite=*/true);
  ASSERT_TRUE(moved.is_ok()) << moved.status().to_string();
  ASSERT_TRUE(moved->previous.has_value());
  EXPECT_EQ(events("files.delete"), (std::vector<std::string>{"node:" + std::to_string(there.id) +
                                                              " folder via api token 9"}));
  // Without overwrite nothing is replaced or audited.
  Node other = folder("other");
  EXPECT_EQ(files_
                ->transfer(sync, {}, meta::Transfer::kMove, other.id, alice_.root_id, "there",
                           /*overwrite=*/false)
                .status()
                .code(),
            Errc::kNameConflict);
  EXPECT_EQ(events("files.delete").size(), 1u);
}

TEST_F(DeletionAuditTest, ALogThatCannotRecordFailsNoDeletion) {
  Node doomed = folder("doomed");
  auto& sql = dynamic_cast<meta::SqlCatalog&>(*catalog_);
  ASSERT_TRUE(sql.database()
                  .transact(meta::TxMode::kSchema,
                            [](meta::Connection& conn) {
                              return conn.exec_script("DROP TABLE audit_events");
                            })
                  .is_ok());
  const Principal session{.user_id = alice_.id, .session_id = 1};
  ASSERT_TRUE(files_->remove(session, {}, doomed.id).is_ok());
  EXPECT_EQ(not_recorded_.load(), 1);
  EXPECT_EQ(audit_->failures(), 1u);
  EXPECT_EQ(files_->stat(alice_.id, doomed.id).status().code(), Errc::kNotFound);
}

}  // namespace
}  // namespace coffer::service
