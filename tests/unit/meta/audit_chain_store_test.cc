// The audit log's chain as stored, on one engine (SQLite here; PostgreSQL through
// meta_on_postgres): appends are linear under concurrency, seals cover the head once.

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/audit_chain.h"
#include "meta/migrations.h"
#include "meta/sql_catalog.h"
#include "temp_dir.h"
#include "test_database.h"

namespace coffer::meta {
namespace {

class AuditChainStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = testing::open_empty_test_catalog(dir_.file("meta.db"));
    ASSERT_TRUE(catalog.is_ok()) << catalog.status().to_string();
    catalog_ = std::move(*catalog);
  }
  AccountStore& store() { return catalog_->accounts(); }

  Status append(const std::string& detail) {
    AuditEvent e;
    e.at = now_micros();
    e.action = "test.event";
    e.target = "user:1";
    e.outcome = "success";
    e.detail = detail;
    return store().append_audit(e);
  }

  std::vector<AuditEvent> entries() {
    std::vector<AuditEvent> out;
    EXPECT_TRUE(store()
                    .scan_audit([&](const AuditEvent& e) {
                      out.push_back(e);
                      return Status::ok();
                    })
                    .is_ok());
    return out;
  }

  std::vector<AuditSeal> seals() {
    std::vector<AuditSeal> out;
    EXPECT_TRUE(store()
                    .scan_audit_seals([&](const AuditSeal& s) {
                      out.push_back(s);
                      return Status::ok();
                    })
                    .is_ok());
    return out;
  }

  AuditVerification verify() {
    AuditChainVerifier verifier(seals(), [](const AuditSeal& s) { return s.signature == "sig"; });
    for (const AuditEvent& e : entries()) verifier.add(e);
    return verifier.finish();
  }

  static void fake_sign(AuditSeal& seal) {
    seal.public_key = "key";
    seal.signature = "sig";
  }

  testing::TempDir dir_;
  std::unique_ptr<SqlCatalog> catalog_;
};

TEST_F(AuditChainStoreTest, EachEntryFollowsThePreviousOne) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(append("e" + std::to_string(i)).is_ok());
  auto all = entries();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].prev_hash, kAuditGenesisHash);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].entry_hash, audit_entry_hash(all[i].prev_hash, all[i]));
    if (i > 0) EXPECT_EQ(all[i].prev_hash, all[i - 1].entry_hash);
  }
  EXPECT_TRUE(verify().intact());
}

TEST_F(AuditChainStoreTest, ConcurrentAppendsStayOneChain) {
  std::vector<std::thread> writers;
  for (int t = 0; t < 6; ++t) {
    writers.emplace_back([this, t] {
      for (int i = 0; i < 15; ++i) {
        EXPECT_TRUE(append(std::to_string(t) + "/" + std::to_string(i)).is_ok());
      }
    });
  }
  for (auto& w : writers) w.join();
  auto v = verify();
  EXPECT_TRUE(v.intact()) << v.broken->reason;
  EXPECT_EQ(v.entries, 90);
}

TEST_F(AuditChainStoreTest, TheHeadIsSealedOnceUntilItMoves) {
  auto none = store().seal_audit(1000, fake_sign);
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(append("a").is_ok());
  ASSERT_TRUE(append("b").is_ok());
  auto first = store().seal_audit(2000, fake_sign);
  ASSERT_TRUE(first.is_ok() && first->has_value());
  EXPECT_EQ((*first)->head_id, entries().back().id);
  EXPECT_EQ((*first)->head_hash, entries().back().entry_hash);
  EXPECT_EQ((*first)->sealed_at, 2000);
  auto again = store().seal_audit(3000, fake_sign);
  ASSERT_TRUE(again.is_ok());
  EXPECT_FALSE(again->has_value());
  ASSERT_TRUE(append("c").is_ok());
  auto second = store().seal_audit(4000, fake_sign);
  ASSERT_TRUE(second.is_ok() && second->has_value());
  auto stored = seals();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].signature, "sig");
  EXPECT_EQ(stored[1].head_id, entries().back().id);
  auto v = verify();
  EXPECT_TRUE(v.intact());
  EXPECT_EQ(v.seals, 2);
}

TEST_F(AuditChainStoreTest, EntriesBeforeTheMigrationStayOutsideTheChain) {
  ASSERT_TRUE(catalog_->database()
                  .transact(TxMode::kWrite,
                            [](Connection& conn) {
                              return status_of(conn.exec(
                                  "INSERT INTO audit_events (at, action, target, outcome, ip, "
                                  "user_agent, request_id, detail) "
                                  "VALUES (1, 'old', '', 'success', '', '', '', '')"));
                            })
                  .is_ok());
  ASSERT_TRUE(append("new").is_ok());
  auto all = entries();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].entry_hash, "");
  EXPECT_EQ(all[1].prev_hash, kAuditGenesisHash);
  auto v = verify();
  EXPECT_TRUE(v.intact());
  EXPECT_EQ(v.legacy_entries, 1);
  EXPECT_EQ(v.entries, 1);
}

}  // namespace
}  // namespace coffer::meta
