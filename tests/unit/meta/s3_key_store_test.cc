// The S3 access key store on one engine (SQLite here; PostgreSQL through meta_on_postgres):
// the active-key limit, revocation, another user's key, use recorded at most once a minute, and
// a password change taking the keys with the API tokens.

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "test_database.h"

namespace coffer::meta {
namespace {

constexpr uint32_t kReadWrite = kScopeFilesRead | kScopeFilesWrite;

class S3KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = testing::open_empty_test_catalog(dir_.file("meta.db"));
    ASSERT_TRUE(catalog.is_ok()) << catalog.status().to_string();
    catalog_ = std::move(*catalog);
    auto alice = catalog_->create_user("alice", "$argon2id$x", Role::kUser);
    auto bob = catalog_->create_user("bob", "$argon2id$y", Role::kUser);
    ASSERT_TRUE(alice.is_ok() && bob.is_ok());
    alice_ = alice->id;
    bob_ = bob->id;
  }
  S3KeyStore& store() { return catalog_->s3_keys(); }

  Result<S3Key> create(int64_t user, const std::string& access_key_id, size_t max_active = 50) {
    return store().create_s3_key(user, "backup", kReadWrite, access_key_id,
                                 "sealed-" + access_key_id, 1000, max_active);
  }

  testing::TempDir dir_;
  std::unique_ptr<SqlCatalog> catalog_;
  int64_t alice_ = 0;
  int64_t bob_ = 0;
};

TEST_F(S3KeyStoreTest, CreatedKeysAreListedAndFoundWithTheirSealedSecretAndUser) {
  auto key = create(alice_, "CKAAAAAAAAAAAAAAAAA1");
  ASSERT_TRUE(key.is_ok()) << key.status().to_string();
  EXPECT_EQ(key->scopes, kReadWrite);
  auto listed = store().list_s3_keys(alice_);
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, key->id);
  EXPECT_EQ((*listed)[0].access_key_id, "CKAAAAAAAAAAAAAAAAA1");
  EXPECT_EQ((*listed)[0].scopes, kReadWrite);
  EXPECT_FALSE((*listed)[0].last_used);
  EXPECT_TRUE(store().list_s3_keys(bob_)->empty());

  auto used = store().use_s3_key("CKAAAAAAAAAAAAAAAAA1", 5000);
  ASSERT_TRUE(used.is_ok()) << used.status().to_string();
  EXPECT_EQ(used->key.id, key->id);
  EXPECT_EQ(used->sealed_secret, "sealed-CKAAAAAAAAAAAAAAAAA1");
  EXPECT_EQ(used->user.id, alice_);
  EXPECT_EQ(used->user.username, "alice");
  EXPECT_EQ(store().use_s3_key("CKNOSUCHKEYAAAAAAAAA", 5000).status().code(), Errc::kNotFound);
}

TEST_F(S3KeyStoreTest, AnAccessKeyIdIsUniqueAcrossUsers) {
  ASSERT_TRUE(create(alice_, "CKAAAAAAAAAAAAAAAAA1").is_ok());
  EXPECT_EQ(create(bob_, "CKAAAAAAAAAAAAAAAAA1").status().code(), Errc::kAlreadyExists);
}

TEST_F(S3KeyStoreTest, TheLimitCountsOnlyActiveKeysOfThatUser) {
  ASSERT_TRUE(create(alice_, "CKAAAAAAAAAAAAAAAAA1", 2).is_ok());
  auto second = create(alice_, "CKAAAAAAAAAAAAAAAAA2", 2);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(create(alice_, "CKAAAAAAAAAAAAAAAAA3", 2).status().code(), Errc::kLimitExceeded);
  EXPECT_TRUE(create(bob_, "CKBBBBBBBBBBBBBBBBB1", 2).is_ok());
  ASSERT_TRUE(store().revoke_s3_key(alice_, second->id, 2000).is_ok());
  EXPECT_TRUE(create(alice_, "CKAAAAAAAAAAAAAAAAA3", 2).is_ok());
}

TEST_F(S3KeyStoreTest, RevokedKeysAreGoneAndOtherUsersCannotRevoke) {
  auto key = create(alice_, "CKAAAAAAAAAAAAAAAAA1");
  ASSERT_TRUE(key.is_ok());
  EXPECT_EQ(store().revoke_s3_key(bob_, key->id, 2000).code(), Errc::kNotFound);
  ASSERT_TRUE(store().use_s3_key("CKAAAAAAAAAAAAAAAAA1", 2000).is_ok());
  ASSERT_TRUE(store().revoke_s3_key(alice_, key->id, 2000).is_ok());
  EXPECT_EQ(store().revoke_s3_key(alice_, key->id, 3000).code(), Errc::kNotFound);
  EXPECT_EQ(store().use_s3_key("CKAAAAAAAAAAAAAAAAA1", 3000).status().code(), Errc::kNotFound);
  EXPECT_TRUE(store().list_s3_keys(alice_)->empty());
}

TEST_F(S3KeyStoreTest, UseIsRecordedAtMostOnceAMinute) {
  auto key = create(alice_, "CKAAAAAAAAAAAAAAAAA1");
  ASSERT_TRUE(key.is_ok());
  const Micros t0 = 10 * kCredentialUseResolution;
  EXPECT_EQ(*store().use_s3_key("CKAAAAAAAAAAAAAAAAA1", t0)->key.last_used, t0);
  EXPECT_EQ(*store().use_s3_key("CKAAAAAAAAAAAAAAAAA1", t0 + 1000)->key.last_used, t0);
  EXPECT_EQ(*store().list_s3_keys(alice_)->front().last_used, t0);
  const Micros later = t0 + kCredentialUseResolution;
  EXPECT_EQ(*store().use_s3_key("CKAAAAAAAAAAAAAAAAA1", later)->key.last_used, later);
  EXPECT_EQ(*store().list_s3_keys(alice_)->front().last_used, later);
}

TEST_F(S3KeyStoreTest, APasswordChangeThatRevokesApiTokensRevokesS3KeysToo) {
  ASSERT_TRUE(create(alice_, "CKAAAAAAAAAAAAAAAAA1").is_ok());
  ASSERT_TRUE(
      catalog_->accounts().change_password(alice_, "$argon2id$new", 0, false, 2000).is_ok());
  EXPECT_TRUE(store().use_s3_key("CKAAAAAAAAAAAAAAAAA1", 3000).is_ok());
  ASSERT_TRUE(catalog_->accounts().change_password(alice_, "$argon2id$new", 0, true, 4000).is_ok());
  EXPECT_EQ(store().use_s3_key("CKAAAAAAAAAAAAAAAAA1", 5000).status().code(), Errc::kNotFound);
}

}  // namespace
}  // namespace coffer::meta
