// S3 access keys in the domain: the shapes of the key material, the secret handed back only
// to the signature check, scopes capped by the role, the limit, the audit trail, and a
// revocation or a disabled account stopping a key on the very next request although its last
// check is remembered.

#include "service/s3_keys.h"

#include <gtest/gtest.h>

#include <regex>

#include "service/admin_service.h"
#include "sqlite_catalog_test.h"

namespace coffer::service {
namespace {

class S3KeysTest : public testing::SqliteCatalogTest {
 protected:
  void SetUp() override {
    SqliteCatalogTest::SetUp();
    const std::vector<unsigned char> master_key(32, 7);
    AuthOptions options;
    options.auth_cache_max_age = 3600'000'000;  // remembered throughout: revocation must still bite
    auth_ = std::make_unique<AuthService>(*catalog_, auth::TokenSigner(master_key, 600),
                                          auth::SecretBox(master_key, "cofferMF"), options);
    admin_service_ = std::make_unique<AdminService>(*catalog_, *auth_);
    keys_ = std::make_unique<S3Keys>(catalog_->s3_keys(), *auth_,
                                     auth::SecretBox(master_key, "cofferS3"));
    auto alice = catalog_->create_user("alice", "$argon2id$x", Role::kUser);
    auto root = catalog_->create_user("root", "$argon2id$y", Role::kAdmin);
    ASSERT_TRUE(alice.is_ok() && root.is_ok());
    alice_ = Principal{alice->id, Role::kUser, scopes_for_role(Role::kUser), 1, 0};
    root_ = Principal{root->id, Role::kAdmin, kAllScopes, 2, 0};
  }

  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<S3Keys> keys_;
  Principal alice_;
  Principal root_;
  const RequestOrigin origin_{"127.0.0.1", "test", "req-1"};
};

TEST(S3KeyMaterial, IdsAndSecretsHaveTheirShapeAndDiffer) {
  const std::regex id_shape("CK[A-Z0-9]{18}");
  const std::regex secret_shape("[A-Za-z0-9+/]{40}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string id = new_s3_access_key_id();
    const std::string secret = new_s3_secret_access_key();
    EXPECT_TRUE(std::regex_match(id, id_shape)) << id;
    EXPECT_TRUE(is_s3_access_key_id(id)) << id;
    EXPECT_TRUE(std::regex_match(secret, secret_shape)) << secret;
    EXPECT_TRUE(seen.insert(id).second && seen.insert(secret).second);
  }
  EXPECT_FALSE(is_s3_access_key_id("AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(is_s3_access_key_id("CKabcdefghijklmnopqr"));
  EXPECT_FALSE(is_s3_access_key_id("CK123"));
}

TEST_F(S3KeysTest, TheSecretComesBackOnlyToTheSignatureCheck) {
  auto created = keys_->create(alice_, "restic", 0, origin_);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  EXPECT_EQ(created->key.scopes, S3Keys::kDefaultScopes);
  auto stored = catalog_->s3_keys().use_s3_key(created->key.access_key_id, now_micros());
  ASSERT_TRUE(stored.is_ok());
  EXPECT_EQ(stored->sealed_secret.find(created->secret_access_key), std::string::npos);

  for (int i = 0; i < 2; ++i) {  // from the database, then from memory
    auto credential = keys_->authenticate(created->key.access_key_id);
    ASSERT_TRUE(credential.is_ok()) << credential.status().to_string();
    EXPECT_EQ(credential->key_id, created->key.id);
    EXPECT_EQ(credential->secret_access_key, created->secret_access_key);
    EXPECT_EQ(credential->principal.user_id, alice_.user_id);
    EXPECT_EQ(credential->principal.s3_key_id, created->key.id);
    EXPECT_EQ(credential->principal.api_token_id, 0);
    EXPECT_EQ(credential->principal.session_id, 0);
    EXPECT_EQ(credential->principal.scopes, S3Keys::kDefaultScopes);
  }
  EXPECT_EQ(keys_->authenticate("CKAAAAAAAAAAAAAAAAAA").status().code(), Errc::kNotFound);
  EXPECT_EQ(keys_->authenticate("not an access key").status().code(), Errc::kNotFound);
}

TEST_F(S3KeysTest, ARevokedKeyStopsAtOnceThoughRemembered) {
  auto created = keys_->create(alice_, "restic", kScopeFilesRead, origin_);
  ASSERT_TRUE(created.is_ok());
  ASSERT_TRUE(keys_->authenticate(created->key.access_key_id).is_ok());
  EXPECT_EQ(keys_->revoke(root_, created->key.id, origin_).code(), Errc::kNotFound);
  ASSERT_TRUE(keys_->authenticate(created->key.access_key_id).is_ok());
  ASSERT_TRUE(keys_->revoke(alice_, created->key.id, origin_).is_ok());
  EXPECT_EQ(keys_->authenticate(created->key.access_key_id).status().code(), Errc::kNotFound);
  EXPECT_TRUE(keys_->list(alice_)->empty());
}

TEST_F(S3KeysTest, ADisabledAccountStopsItsKeysAtOnce) {
  auto created = keys_->create(alice_, "restic", 0, origin_);
  ASSERT_TRUE(created.is_ok());
  ASSERT_TRUE(keys_->authenticate(created->key.access_key_id).is_ok());
  meta::UserChanges disable;
  disable.status = UserStatus::kDisabled;
  ASSERT_TRUE(admin_service_->update_user(root_, alice_.user_id, disable, origin_).is_ok());
  EXPECT_EQ(keys_->authenticate(created->key.access_key_id).status().code(), Errc::kNotFound);
}

TEST_F(S3KeysTest, ScopesAreThoseTheCallerHoldsAndTheRoleAllows) {
  EXPECT_EQ(keys_->create(alice_, "x", kScopeAdmin, origin_).status().code(), Errc::kForbidden);
  Principal read_only = alice_;
  read_only.scopes = kScopeFilesRead;
  EXPECT_EQ(keys_->create(read_only, "x", kScopeFilesWrite, origin_).status().code(),
            Errc::kForbidden);
  auto admin_key = keys_->create(root_, "ops", kScopeAdmin | kScopeFilesRead, origin_);
  ASSERT_TRUE(admin_key.is_ok());
  // Demoted: the key acts with what the role grants now.
  meta::UserChanges demote;
  demote.role = Role::kUser;
  ASSERT_TRUE(catalog_->accounts().update_user(root_.user_id, demote, now_micros()).is_ok());
  auth_->credentials_changed();
  auto credential = keys_->authenticate(admin_key->key.access_key_id);
  ASSERT_TRUE(credential.is_ok());
  EXPECT_EQ(credential->principal.scopes, kScopeFilesRead);
}

TEST_F(S3KeysTest, NamesAreOneToAHundredCharacters) {
  EXPECT_EQ(keys_->create(alice_, "", 0, origin_).status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(keys_->create(alice_, std::string(101, 'n'), 0, origin_).status().code(),
            Errc::kInvalidArgument);
  EXPECT_TRUE(keys_->create(alice_, std::string(100, 'n'), 0, origin_).is_ok());
  std::string accented;
  for (int i = 0; i < 100; ++i) accented += "\xC3\xA9";  // é: two bytes, one character
  EXPECT_TRUE(keys_->create(alice_, accented, 0, origin_).is_ok());
}

TEST_F(S3KeysTest, AUserHoldsAtMostFiftyActiveKeys) {
  std::vector<int64_t> ids;
  for (size_t i = 0; i < S3Keys::kMaxActiveKeys; ++i) {
    auto created = keys_->create(alice_, "k" + std::to_string(i), 0, origin_);
    ASSERT_TRUE(created.is_ok()) << created.status().to_string();
    ids.push_back(created->key.id);
  }
  EXPECT_EQ(keys_->create(alice_, "one too many", 0, origin_).status().code(),
            Errc::kLimitExceeded);
  ASSERT_TRUE(keys_->revoke(alice_, ids.front(), origin_).is_ok());
  EXPECT_TRUE(keys_->create(alice_, "again", 0, origin_).is_ok());
  EXPECT_EQ(keys_->list(alice_)->size(), S3Keys::kMaxActiveKeys);
}

TEST_F(S3KeysTest, CreatingAndRevokingAreAudited) {
  auto created = keys_->create(alice_, "restic", 0, origin_);
  ASSERT_TRUE(created.is_ok());
  ASSERT_TRUE(keys_->revoke(alice_, created->key.id, origin_).is_ok());
  meta::AuditQuery query;
  query.actor_id = alice_.user_id;
  auto events = catalog_->accounts().list_audit(query);
  ASSERT_TRUE(events.is_ok());
  ASSERT_EQ(events->size(), 2u);
  const std::string target = "s3_key:" + std::to_string(created->key.id);
  EXPECT_EQ((*events)[0].action, "auth.s3_key_revoke");
  EXPECT_EQ((*events)[0].target, target);
  EXPECT_EQ((*events)[1].action, "auth.s3_key_create");
  EXPECT_EQ((*events)[1].target, target);
  EXPECT_EQ((*events)[1].request_id, "req-1");
  for (const AuditEvent& e : *events) {
    EXPECT_EQ(e.detail.find(created->secret_access_key), std::string::npos);
  }
}

}  // namespace
}  // namespace coffer::service
