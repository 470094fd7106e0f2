// Retention rules and legal holds as the Catalog enforces them, inside the transaction of each
// change, on either engine (test_database.h).

#include <gtest/gtest.h>

#include "meta/sql_catalog.h"
#include "temp_dir.h"
#include "test_database.h"

namespace coffer::meta {
namespace {

constexpr Micros kDay = 86'400 * kMicrosPerSecond;

NewVersion version_of(uint64_t size, char chunk) {
  NewVersion v;
  v.size = size;
  v.sha256 = std::string(64, chunk);
  v.mime = "text/plain";
  v.chunks.push_back(VersionChunk{std::string(64, chunk), 0, static_cast<uint32_t>(size),
                                  static_cast<uint32_t>(size), 0});
  return v;
}

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = testing::open_empty_test_catalog(dir_.file("meta.db"));
    ASSERT_TRUE(catalog.is_ok()) << catalog.status().to_string();
    catalog_ = std::move(*catalog);
    auto alice = catalog_->create_user("alice", "hash", Role::kUser);
    auto admin = catalog_->create_user("admin", "hash", Role::kAdmin);
    ASSERT_TRUE(alice.is_ok() && admin.is_ok());
    alice_ = *alice;
    admin_id_ = admin->id;
    auto docs = catalog_->create_folder(alice_.id, alice_.root_id, "docs", now_micros());
    ASSERT_TRUE(docs.is_ok());
    docs_ = docs->id;
    file_ = put("a.txt", 'a');
    put("a.txt", 'b');  // a second version
  }

  int64_t put(const std::string& name, char chunk, int64_t folder = 0) {
    auto n = catalog_->commit_file(alice_.id, folder ? folder : docs_, name, version_of(4, chunk),
                                   now_micros());
    EXPECT_TRUE(n.is_ok()) << n.status().to_string();
    return n.is_ok() ? n->id : 0;
  }

  Errc overwrite(int64_t folder, const std::string& name) {
    return catalog_->commit_file(alice_.id, folder, name, version_of(4, 'z'), now_micros())
        .status()
        .code();
  }
  Errc remove(int64_t node) {
    return catalog_->delete_node(alice_.id, node, now_micros(), 0).code();
  }
  Errc rename(int64_t node, const std::string& name) {
    return catalog_->move_node(alice_.id, node, std::nullopt, name, now_micros()).status().code();
  }
  Errc move(int64_t node, int64_t parent) {
    return catalog_->move_node(alice_.id, node, parent, std::nullopt, now_micros()).status().code();
  }
  int64_t old_version() { return (*catalog_->list_versions(alice_.id, file_))[1].id; }
  RetentionStore& store() { return catalog_->retention(); }

  testing::TempDir dir_;
  std::unique_ptr<SqlCatalog> catalog_;
  User alice_;
  int64_t admin_id_ = 0;
  int64_t docs_ = 0;
  int64_t file_ = 0;
};

TEST_F(RetentionTest, AHeldFileIsNeitherDeletedOverwrittenMovedNorLosesAVersion) {
  ASSERT_TRUE(store().place_hold(file_, "case 1", admin_id_, now_micros()).is_ok());
  EXPECT_EQ(remove(file_), Errc::kLegalHold);
  EXPECT_EQ(overwrite(docs_, "a.txt"), Errc::kLegalHold);
  EXPECT_EQ(rename(file_, "b.txt"), Errc::kLegalHold);
  EXPECT_EQ(move(file_, alice_.root_id), Errc::kLegalHold);
  EXPECT_EQ(catalog_->delete_version(alice_.id, file_, old_version()).code(), Errc::kLegalHold);
  EXPECT_EQ(
      catalog_->restore_version(alice_.id, file_, old_version(), {}, now_micros()).status().code(),
      Errc::kLegalHold);
  // Its folder goes nowhere either: the held file would go with it.
  EXPECT_EQ(remove(docs_), Errc::kLegalHold);
  EXPECT_EQ(rename(docs_, "papers"), Errc::kLegalHold);
  // A batch commit refuses that file alone.
  std::vector<FileCommit> batch{{docs_, "a.txt", version_of(4, 'y')},
                                {docs_, "new.txt", version_of(4, 'x')}};
  auto results = catalog_->commit_files(alice_.id, batch, now_micros());
  EXPECT_EQ(results[0].status().code(), Errc::kLegalHold);
  EXPECT_TRUE(results[1].is_ok());
  // Copies and new files are no change to what is held.
  EXPECT_TRUE(
      catalog_->copy_node(alice_.id, file_, alice_.root_id, "copy.txt", now_micros()).is_ok());
  EXPECT_EQ(catalog_->list_versions(alice_.id, file_)->size(), 2u);

  auto holds = store().list_holds();
  ASSERT_TRUE(holds.is_ok());
  ASSERT_EQ(holds->size(), 1u);
  EXPECT_EQ((*holds)[0].owner_id, alice_.id);
  EXPECT_EQ((*holds)[0].reason, "case 1");
  EXPECT_EQ(store().refuse_if_owner_locked(alice_.id, now_micros()).code(), Errc::kLegalHold);

  ASSERT_TRUE(store().release_hold(file_).is_ok());
  EXPECT_EQ(store().release_hold(file_).code(), Errc::kNotFound);
  EXPECT_TRUE(store().refuse_if_owner_locked(alice_.id, now_micros()).is_ok());
  EXPECT_EQ(remove(docs_), Errc::kOk);
}

TEST_F(RetentionTest, AHoldOnAFolderLocksEverythingBelowIt) {
  auto sub = catalog_->create_folder(alice_.id, docs_, "sub", now_micros());
  ASSERT_TRUE(sub.is_ok());
  const int64_t deep = put("deep.txt", 'd', sub->id);
  ASSERT_TRUE(store().place_hold(docs_, "case 2", admin_id_, now_micros()).is_ok());
  EXPECT_EQ(remove(deep), Errc::kLegalHold);
  EXPECT_EQ(remove(sub->id), Errc::kLegalHold);
  EXPECT_EQ(overwrite(sub->id, "deep.txt"), Errc::kLegalHold);
  EXPECT_EQ(move(deep, alice_.root_id), Errc::kLegalHold);
  put("added.txt", 'e', sub->id);  // new files may be added
  EXPECT_EQ(store().place_hold(987654, "x", admin_id_, now_micros()).status().code(),
            Errc::kNotFound);
}

TEST_F(RetentionTest, TrashPurgesSkipHeldItems) {
  ASSERT_EQ(remove(file_), Errc::kOk);
  const int64_t other = put("b.txt", 'c');
  ASSERT_EQ(remove(other), Errc::kOk);
  // A hold reaches into the trash: the item stays there until released.
  ASSERT_TRUE(store().place_hold(file_, "case 3", admin_id_, now_micros()).is_ok());
  EXPECT_EQ(catalog_->purge_trashed(alice_.id, file_).code(), Errc::kLegalHold);
  EXPECT_EQ(*catalog_->purge_trash_before(now_micros() + kDay), 1);  // `other` only
  EXPECT_EQ(*catalog_->empty_trash(alice_.id), 0);
  ASSERT_EQ(catalog_->list_trash(alice_.id)->size(), 1u);
  // Restoring is no deletion; a held file may come back (and stays held).
  ASSERT_TRUE(catalog_->restore_trashed(alice_.id, file_, std::nullopt, now_micros()).is_ok());
  EXPECT_EQ(remove(file_), Errc::kLegalHold);
  ASSERT_TRUE(store().release_hold(file_).is_ok());
  ASSERT_EQ(remove(file_), Errc::kOk);
  EXPECT_EQ(*catalog_->empty_trash(alice_.id), 1);
}

TEST_F(RetentionTest, VersionRetentionSkipsLockedFiles) {
  const int64_t loose = put("loose.txt", 'f');
  put("loose.txt", 'g');
  ASSERT_TRUE(store().place_hold(file_, "case 4", admin_id_, now_micros()).is_ok());
  EXPECT_EQ(*catalog_->prune_versions_before(now_micros() + kDay), 1);  // loose.txt's old one
  EXPECT_EQ(catalog_->list_versions(alice_.id, file_)->size(), 2u);
  EXPECT_EQ(catalog_->list_versions(alice_.id, loose)->size(), 1u);
  ASSERT_TRUE(store().release_hold(file_).is_ok());
  EXPECT_EQ(*catalog_->prune_versions_before(now_micros() + kDay), 1);
}

TEST_F(RetentionTest, ARetainedFolderIsWriteOnceUntilItsDate) {
  const Micros until = now_micros() + 10 * kDay;
  auto rule = store().set_retention(docs_, until, admin_id_, now_micros());
  ASSERT_TRUE(rule.is_ok()) << rule.status().to_string();
  EXPECT_EQ(rule->owner_id, alice_.id);
  EXPECT_EQ(remove(file_), Errc::kRetentionActive);
  EXPECT_EQ(overwrite(docs_, "a.txt"), Errc::kRetentionActive);
  EXPECT_EQ(rename(file_, "b.txt"), Errc::kRetentionActive);
  EXPECT_EQ(remove(docs_), Errc::kRetentionActive);
  EXPECT_EQ(rename(docs_, "papers"), Errc::kRetentionActive);
  EXPECT_EQ(remove(alice_.root_id), Errc::kConflict);  // roots never go anyway
  EXPECT_EQ(catalog_->delete_version(alice_.id, file_, old_version()).code(),
            Errc::kRetentionActive);
  // New files may be added, and are locked as soon as they are in.
  const int64_t added = put("new.txt", 'h');
  EXPECT_EQ(remove(added), Errc::kRetentionActive);
  const int64_t outside = put("outside.txt", 'i', alice_.root_id);
  EXPECT_EQ(move(outside, docs_), Errc::kOk);
  EXPECT_EQ(move(outside, alice_.root_id), Errc::kRetentionActive);

  // Compliance: extended, never shortened or removed.
  EXPECT_EQ(store().set_retention(docs_, until - kDay, admin_id_, now_micros()).status().code(),
            Errc::kRetentionActive);
  EXPECT_EQ(store().remove_retention(docs_, now_micros()).code(), Errc::kRetentionActive);
  EXPECT_TRUE(store().set_retention(docs_, until + kDay, admin_id_, now_micros()).is_ok());
  EXPECT_EQ(store().refuse_if_owner_locked(alice_.id, now_micros()).code(), Errc::kRetentionActive);
  EXPECT_EQ(store().set_retention(file_, until, admin_id_, now_micros()).status().code(),
            Errc::kConflict);  // folders only
  auto rules = store().list_retention();
  ASSERT_TRUE(rules.is_ok());
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].retain_until, until + kDay);
}

TEST_F(RetentionTest, AnExpiredRuleLocksNothingAndMayBeRemoved) {
  // Set a day ago, for an hour: expired now.
  const Micros then = now_micros() - kDay;
  ASSERT_TRUE(store().set_retention(docs_, then + kDay / 24, admin_id_, then).is_ok());
  EXPECT_EQ(remove(file_), Errc::kOk);
  EXPECT_TRUE(store().refuse_if_owner_locked(alice_.id, now_micros()).is_ok());
  EXPECT_TRUE(store().remove_retention(docs_, now_micros()).is_ok());
  EXPECT_EQ(store().remove_retention(docs_, now_micros()).code(), Errc::kNotFound);
  // A purged folder takes its expired rule with it.
  ASSERT_TRUE(store().set_retention(docs_, then + kDay / 24, admin_id_, then).is_ok());
  ASSERT_EQ(remove(docs_), Errc::kOk);
  ASSERT_TRUE(catalog_->purge_trashed(alice_.id, docs_).is_ok());
  EXPECT_TRUE(store().list_retention()->empty());
}

}  // namespace
}  // namespace coffer::meta
