// The metadata of the sync clients' chunked uploads: a part is replaced whole, other users'
// uploads do not exist, the parts' chunks count as referenced for garbage collection until
// the upload goes, the bytes held count per owner, and expired uploads are deleted.

#include <gtest/gtest.h>

#include <set>

#include "meta/migrations.h"
#include "meta/sql_catalog.h"
#include "temp_dir.h"
#include "test_database.h"

namespace coffer::meta {
namespace {

using testing::TempDir;

std::string chunk_id(char c) { return std::string(64, c); }

ChunkedUploadPart part(std::string name, char chunk, uint32_t size) {
  return ChunkedUploadPart{
      std::move(name), size, 5000, {VersionChunk{chunk_id(chunk), 0, size, size, 0}}};
}

class ChunkedUploadStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::open_empty_test_database(dir_.file("meta.db"));
    ASSERT_TRUE(db.is_ok()) << db.status().to_string();
    ASSERT_TRUE(migrate(**db).is_ok());
    catalog_ = std::make_unique<SqlCatalog>(std::move(*db));
    for (const char* name : {"alice", "bob"}) {
      auto user = catalog_->create_user(name, "$argon2id$hash", Role::kUser);
      ASSERT_TRUE(user.is_ok());
      ids_.push_back(user->id);
    }
  }

  ChunkedUpload make(int64_t owner, const std::string& transfer, Micros expires = 10'000) {
    ChunkedUpload u{owner, transfer, std::nullopt, 1000, expires};
    EXPECT_TRUE(store().create(u).is_ok());
    return u;
  }

  std::set<std::string> referenced() {
    std::set<std::string> out;
    EXPECT_TRUE(catalog_
                    ->for_each_referenced_chunk([&](const std::string& c) {
                      out.insert(c);
                      return Status::ok();
                    })
                    .is_ok());
    return out;
  }

  ChunkedUploadStore& store() { return catalog_->chunked_uploads(); }

  TempDir dir_;
  std::unique_ptr<SqlCatalog> catalog_;
  std::vector<int64_t> ids_;
};

TEST_F(ChunkedUploadStoreTest, PartsAreReplacedWholeAndTheirChunksAreReferencedUntilRemoval) {
  const int64_t alice = ids_[0];
  make(alice, "t1");
  EXPECT_EQ(store().create(ChunkedUpload{alice, "t1", 5, 1, 2}).code(), Errc::kAlreadyExists);
  ASSERT_TRUE(store().put_part(alice, "t1", part("2", 'b', 20), 20'000, 10).is_ok());
  ASSERT_TRUE(store().put_part(alice, "t1", part("1", 'a', 10), 20'000, 10).is_ok());
  ASSERT_TRUE(store().put_part(alice, "t1", part("1", 'c', 30), 20'000, 10).is_ok());
  auto parts = store().parts(alice, "t1", true);
  ASSERT_TRUE(parts.is_ok());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "1");
  EXPECT_EQ((*parts)[0].size, 30u);
  ASSERT_EQ((*parts)[0].chunks.size(), 1u);
  EXPECT_EQ((*parts)[0].chunks[0].chunk, chunk_id('c'));
  EXPECT_EQ(referenced(), (std::set<std::string>{chunk_id('b'), chunk_id('c')}));
  EXPECT_EQ(*store().bytes_held(alice), 50u);
  EXPECT_EQ(store().get(alice, "t1")->expires, 20'000);
  // A third part is one too many for a limit of two.
  EXPECT_EQ(store().put_part(alice, "t1", part("3", 'd', 1), 20'000, 2).code(),
            Errc::kInvalidArgument);
  ASSERT_TRUE(store().delete_part(alice, "t1", "2").is_ok());
  EXPECT_EQ(store().delete_part(alice, "t1", "2").code(), Errc::kNotFound);
  ASSERT_TRUE(store().remove(alice, "t1").is_ok());
  EXPECT_TRUE(referenced().empty());
  EXPECT_EQ(*store().bytes_held(alice), 0u);
  EXPECT_EQ(store().get(alice, "t1").status().code(), Errc::kNotFound);
}

TEST_F(ChunkedUploadStoreTest, AnotherUsersUploadDoesNotExist) {
  const int64_t alice = ids_[0], bob = ids_[1];
  make(alice, "same");
  make(bob, "same");  // names are per owner
  ASSERT_TRUE(store().put_part(alice, "same", part("1", 'a', 10), 20'000, 10).is_ok());
  EXPECT_TRUE(store().parts(bob, "same", false)->empty());
  EXPECT_EQ(store().put_part(bob, "other", part("1", 'a', 10), 20'000, 10).code(), Errc::kNotFound);
  EXPECT_EQ(*store().bytes_held(bob), 0u);
  EXPECT_EQ(store().list(bob)->size(), 1u);
}

TEST_F(ChunkedUploadStoreTest, ExpiredUploadsAreDeletedWithTheirParts) {
  const int64_t alice = ids_[0];
  make(alice, "old", 100);
  make(alice, "new", 10'000);
  ASSERT_TRUE(store().put_part(alice, "old", part("1", 'a', 10), 100, 10).is_ok());
  ASSERT_TRUE(store().put_part(alice, "new", part("1", 'b', 10), 10'000, 10).is_ok());
  auto removed = store().remove_expired(5000);
  ASSERT_TRUE(removed.is_ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(referenced(), (std::set<std::string>{chunk_id('b')}));
  EXPECT_EQ(store().list(alice)->size(), 1u);
}

}  // namespace
}  // namespace coffer::meta
