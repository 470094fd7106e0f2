#include <gtest/gtest.h>

#include <limits>

#include "meta/migrations.h"
#include "meta/sql_catalog.h"
#include "meta/sqlite_database.h"
#include "temp_dir.h"

namespace coffer::meta {
namespace {

using testing::TempDir;

constexpr Micros kHour = 3600'000'000LL;

class AccountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = open_sqlite_database(dir_.file("meta.db"));
    ASSERT_TRUE(db.is_ok()) << db.status().to_string();
    ASSERT_TRUE(migrate(**db).is_ok());
    catalog_ = std::make_unique<SqlCatalog>(std::move(*db));
    auto user = catalog_->create_user("alice", "hash", Role::kUser);
    ASSERT_TRUE(user.is_ok());
    alice_ = user->id;
  }
  AccountStore& store() { return catalog_->accounts(); }

  TempDir dir_;
  std::unique_ptr<SqlCatalog> catalog_;
  int64_t alice_ = 0;
  const RequestOrigin origin_{"127.0.0.1", "test", "req-1"};
};

// As lost_response_since: no spent token is ever taken for a lost response.
constexpr Micros kNoGrace = std::numeric_limits<Micros>::max();

TEST_F(AccountStoreTest, RefreshTokensRotateOnceAndReuseRevokesTheFamily) {
  auto session = store().create_session(alice_, "h1", origin_, 1000, 1000 + kHour);
  ASSERT_TRUE(session.is_ok());
  auto r = store().rotate_refresh("h1", "h2", origin_, 2000, 2000 + kHour, kNoGrace);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->outcome, RefreshOutcome::kRotated);
  EXPECT_EQ(r->session.id, session->id);
  EXPECT_EQ(r->session.expires, 2000 + kHour);

  r = store().rotate_refresh("h1", "h3", origin_, 3000, 3000 + kHour, kNoGrace);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->outcome, RefreshOutcome::kReused);
  EXPECT_EQ(store().session_user(session->id, 3000).status().code(), Errc::kNotFound);
  // The current token of the revoked family is dead too.
  r = store().rotate_refresh("h2", "h4", origin_, 4000, 4000 + kHour, kNoGrace);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->outcome, RefreshOutcome::kInvalid);
  r = store().rotate_refresh("unknown", "h5", origin_, 4000, 4000 + kHour, kNoGrace);
  EXPECT_EQ(r->outcome, RefreshOutcome::kInvalid);
}

TEST_F(AccountStoreTest, LostRefreshResponseMayBeRetriedOnceWithinTheGrace) {
  auto session = store().create_session(alice_, "h1", origin_, 1000, 1000 + kHour);
  ASSERT_TRUE(session.is_ok());
  ASSERT_EQ(store().rotate_refresh("h1", "h2", origin_, 2000, 2000 + kHour, 0)->outcome,
            RefreshOutcome::kRotated);
  // h2 never reached the client: h1 comes back within the grace and rotates to h3, spending h2.
  auto r = store().rotate_refresh("h1", "h3", origin_, 2500, 2500 + kHour, 1500);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->outcome, RefreshOutcome::kRotated);
  EXPECT_EQ(r->session.id, session->id);
  ASSERT_EQ(store().rotate_refresh("h3", "h4", origin_, 2600, 2600 + kHour, 1500)->outcome,
            RefreshOutcome::kRotated);
  // h1 again, but the chain moved on (h3 was used): that is theft, the family ends.
  r = store().rotate_refresh("h1", "h5", origin_, 2700, 2700 + kHour, 1500);
  EXPECT_EQ(r->outcome, RefreshOutcome::kReused);
  EXPECT_EQ(store().session_user(session->id, 2700).status().code(), Errc::kNotFound);
}

TEST_F(AccountStoreTest, SpentRefreshTokenPastTheGraceRevokesTheFamily) {
  auto session = store().create_session(alice_, "h1", origin_, 1000, 1000 + kHour);
  ASSERT_TRUE(session.is_ok());
  ASSERT_EQ(store().rotate_refresh("h1", "h2", origin_, 2000, 2000 + kHour, 0)->outcome,
            RefreshOutcome::kRotated);
  auto r = store().rotate_refresh("h1", "h3", origin_, 9000, 9000 + kHour, 2001);
  EXPECT_EQ(r->outcome, RefreshOutcome::kReused);
  EXPECT_EQ(store().rotate_refresh("h2", "h4", origin_, 9001, 9001 + kHour, 0)->outcome,
            RefreshOutcome::kInvalid);
}

TEST_F(AccountStoreTest, ExpiredSessionsNeitherAuthenticateNorRefresh) {
  auto session = store().create_session(alice_, "h1", origin_, 1000, 5000);
  ASSERT_TRUE(session.is_ok());
  EXPECT_TRUE(store().session_user(session->id, 4999).is_ok());
  EXPECT_EQ(store().session_user(session->id, 5000).status().code(), Errc::kNotFound);
  auto r = store().rotate_refresh("h1", "h2", origin_, 5001, 9000, kNoGrace);
  EXPECT_EQ(r->outcome, RefreshOutcome::kInvalid);
  auto live = store().list_sessions(alice_, 5001);
  ASSERT_TRUE(live.is_ok());
  EXPECT_TRUE(live->empty());
}

TEST_F(AccountStoreTest, ChangePasswordKeepsOnlyTheCurrentSession) {
  auto keep = store().create_session(alice_, "k", origin_, 1000, kHour);
  auto other = store().create_session(alice_, "o", origin_, 1000, kHour);
  ASSERT_TRUE(keep.is_ok() && other.is_ok());
  ASSERT_TRUE(store().create_api_token(alice_, "kept", kScopeFilesRead, "t1", {}, 1000).is_ok());
  ASSERT_TRUE(store().change_password(alice_, "new-hash", keep->id, false, 2000).is_ok());
  EXPECT_TRUE(store().session_user(keep->id, 3000).is_ok());
  EXPECT_FALSE(store().session_user(other->id, 3000).is_ok());
  EXPECT_EQ(catalog_->find_user(alice_)->password_hash, "new-hash");
  EXPECT_TRUE(store().use_api_token("t1", 3000).is_ok());
}

TEST_F(AccountStoreTest, ChangePasswordCanRevokeEveryApiToken) {
  ASSERT_TRUE(store().create_api_token(alice_, "a", kScopeFilesRead, "t1", {}, 1000).is_ok());
  ASSERT_TRUE(store().create_api_token(alice_, "b", kScopeFilesRead, "t2", {}, 1000).is_ok());
  ASSERT_TRUE(store().change_password(alice_, "new-hash", 0, true, 2000).is_ok());
  EXPECT_EQ(store().use_api_token("t1", 3000).status().code(), Errc::kNotFound);
  EXPECT_EQ(store().use_api_token("t2", 3000).status().code(), Errc::kNotFound);
}

TEST_F(AccountStoreTest, ApiTokensRecordUseAndStopWhenRevokedOrExpired) {
  auto token = store().create_api_token(alice_, "script", kScopeFilesRead, "th", 10 * kHour, 1000);
  ASSERT_TRUE(token.is_ok());
  auto used = store().use_api_token("th", 2000);
  ASSERT_TRUE(used.is_ok());
  EXPECT_EQ(used->first.scopes, kScopeFilesRead);
  EXPECT_EQ(used->second.username, "alice");
  auto listed = store().list_api_tokens(alice_, 3000);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].last_used, 2000);
  EXPECT_EQ(store().use_api_token("th", 10 * kHour).status().code(), Errc::kNotFound);
  ASSERT_TRUE(store().revoke_api_token(alice_, token->id, 3000).is_ok());
  EXPECT_EQ(store().use_api_token("th", 4000).status().code(), Errc::kNotFound);
  EXPECT_EQ(store().revoke_api_token(alice_, token->id, 5000).code(), Errc::kNotFound);
}

TEST_F(AccountStoreTest, AuditQueriesFilterAndPageNewestFirst) {
  for (int i = 0; i < 5; ++i) {
    AuditEvent e;
    e.at = 1000 + i;
    e.actor_id = i % 2 == 0 ? alice_ : 0;
    e.action = i < 3 ? "auth.login" : "auth.logout";
    e.outcome = "success";
    ASSERT_TRUE(store().append_audit(e).is_ok());
  }
  auto all = store().list_audit({});
  ASSERT_EQ(all->size(), 5u);
  EXPECT_GT((*all)[0].id, (*all)[4].id);
  auto mine = store().list_audit({.actor_id = alice_});
  EXPECT_EQ(mine->size(), 3u);
  auto logins = store().list_audit({.action = "auth.login", .limit = 2});
  ASSERT_EQ(logins->size(), 2u);
  auto rest = store().list_audit({.action = "auth.login", .before_id = (*logins)[1].id});
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].actor_id, alice_);
}

}  // namespace
}  // namespace coffer::meta
