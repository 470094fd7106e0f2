// The audit trail in the domain: seals made with the server's audit key prove the chain, a
// seal made by a key not trusted is forged, and the sealer seals on stop what was appended
// since its last seal.

#include "service/audit_trail.h"

#include <gtest/gtest.h>

#include "sqlite_catalog_test.h"

namespace coffer::service {
namespace {

class AuditTrailTest : public testing::SqliteCatalogTest {
 protected:
  void SetUp() override {
    SqliteCatalogTest::SetUp();
    trail_ = std::make_unique<AuditTrail>(catalog_->accounts(), std::vector<unsigned char>(32, 7));
  }

  void append(int n) {
    for (int i = 0; i < n; ++i) {
      AuditEvent e;
      e.at = now_micros();
      e.action = "test.event";
      e.outcome = "success";
      e.detail = "event " + std::to_string(i);
      ASSERT_TRUE(catalog_->accounts().append_audit(e).is_ok());
    }
  }

  std::unique_ptr<AuditTrail> trail_;
};

TEST_F(AuditTrailTest, SealsWithTheServerKeyProveTheChain) {
  append(3);
  auto sealed = trail_->seal();
  ASSERT_TRUE(sealed.is_ok() && sealed->has_value());
  EXPECT_EQ((*sealed)->public_key, trail_->public_key());
  auto v = trail_->verify();
  ASSERT_TRUE(v.is_ok());
  EXPECT_TRUE(v->intact()) << v->broken->reason;
  EXPECT_EQ(v->entries, 3);
  EXPECT_EQ(v->seals, 1);
  EXPECT_EQ(v->sealed_through, v->head_id);
  auto by_public_key = trail_->verify({trail_->public_key()});
  ASSERT_TRUE(by_public_key.is_ok());
  EXPECT_TRUE(by_public_key->intact());
}

TEST_F(AuditTrailTest, ASealNoTrustedKeyMadeIsForged) {
  append(2);
  ASSERT_TRUE(trail_->seal().is_ok());
  AuditTrail other(catalog_->accounts(), std::vector<unsigned char>(32, 8));
  auto v = other.verify();
  ASSERT_TRUE(v.is_ok());
  ASSERT_FALSE(v->intact());
  EXPECT_NE(v->broken->reason.find("forged"), std::string::npos);
}

TEST_F(AuditTrailTest, StoppingTheSealerSealsWhatWasAppended) {
  trail_->start(std::chrono::hours(1));
  append(2);
  trail_->stop();
  auto v = trail_->verify();
  ASSERT_TRUE(v.is_ok());
  EXPECT_TRUE(v->intact());
  EXPECT_EQ(v->seals, 1);
  EXPECT_EQ(v->sealed_through, v->head_id);
}

}  // namespace
}  // namespace coffer::service
