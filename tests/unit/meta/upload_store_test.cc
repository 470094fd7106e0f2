// The metadata of resumable uploads: progress moves only from the offset the caller saw,
// other users' uploads do not exist, recorded chunks count as referenced for garbage
// collection until the upload completes or goes, and expired uploads are deleted.

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

class UploadStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::open_empty_test_database(dir_.file("meta.db"));
    ASSERT_TRUE(db.is_ok()) << db.status().to_string();
    ASSERT_TRUE(migrate(**db).is_ok());
    catalog_ = std::make_unique<SqlCatalog>(std::move(*db));
    auto alice = catalog_->create_user("alice", "$argon2id$hash", Role::kUser);
    ASSERT_TRUE(alice.is_ok());
    alice_ = *alice;
  }

  UploadRecord make_upload(const std::string& id, std::optional<uint64_t> length,
                           Micros expires = 10'000) {
    UploadRecord r;
    r.id = id;
    r.owner_id = alice_.id;
    r.parent_id = alice_.root_id;
    r.name = "f.bin";
    r.length = length;
    r.metadata = "filename Zi5iaW4=";
    r.created = 1000;
    r.expires = expires;
    EXPECT_TRUE(store().create_upload(r).is_ok());
    return r;
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

  UploadStore& store() { return catalog_->uploads(); }

  TempDir dir_;
  std::unique_ptr<SqlCatalog> catalog_;
  User alice_;
};

TEST_F(UploadStoreTest, AppendsMoveTheOffsetOnlyFromWhereTheCallerSawIt) {
  make_upload("u1", 300);
  const std::vector<VersionChunk> first{{chunk_id('a'), 0, 100, 60, 1}};
  auto r =
      store().append_upload(alice_.id, "u1", 0, 100, first, std::nullopt, 20'000, std::nullopt);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->offset, 100u);
  EXPECT_EQ(r->expires, 20'000);
  // A second request that also started at 0 lost the race: nothing of it is recorded.
  auto stale = store().append_upload(alice_.id, "u1", 0, 50, {{chunk_id('x'), 0, 50, 50, 0}},
                                     std::nullopt, 20'000, std::nullopt);
  EXPECT_EQ(stale.status().code(), Errc::kOffsetMismatch);
  auto past = store().append_upload(alice_.id, "u1", 100, 201, {{chunk_id('y'), 100, 201, 201, 0}},
                                    std::nullopt, 20'000, std::nullopt);
  EXPECT_EQ(past.status().code(), Errc::kInvalidArgument);
  ASSERT_TRUE(store()
                  .append_upload(alice_.id, "u1", 100, 200, {{chunk_id('b'), 100, 200, 200, 0}},
                                 std::nullopt, 20'000, std::nullopt)
                  .is_ok());
  auto chunks = store().upload_chunks("u1");
  ASSERT_TRUE(chunks.is_ok());
  ASSERT_EQ(chunks->size(), 2u);
  EXPECT_EQ((*chunks)[0].chunk, chunk_id('a'));
  EXPECT_EQ((*chunks)[1].offset, 100u);
  auto got = store().get_upload(alice_.id, "u1");
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got->offset, 300u);
  EXPECT_EQ(got->metadata, "filename Zi5iaW4=");
}

TEST_F(UploadStoreTest, AnotherUsersUploadDoesNotExist) {
  make_upload("u1", 10);
  auto bob = catalog_->create_user("bob", "$argon2id$hash", Role::kUser);
  ASSERT_TRUE(bob.is_ok());
  EXPECT_EQ(store().get_upload(bob->id, "u1").status().code(), Errc::kNotFound);
  EXPECT_EQ(
      store().append_upload(bob->id, "u1", 0, 1, {}, std::nullopt, 1, std::nullopt).status().code(),
      Errc::kNotFound);
  EXPECT_EQ(store().delete_upload(bob->id, "u1").code(), Errc::kNotFound);
  EXPECT_TRUE(store().get_upload(alice_.id, "u1").is_ok());
}

TEST_F(UploadStoreTest, ADeferredLengthIsSetOnceAndThenBinds) {
  make_upload("u1", std::nullopt);
  auto r = store().append_upload(alice_.id, "u1", 0, 5, {{chunk_id('a'), 0, 5, 5, 0}}, std::nullopt,
                                 1, std::nullopt);
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r->length.has_value());
  r = store().append_upload(alice_.id, "u1", 5, 0, {}, 8, 1, std::nullopt);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->length, std::optional<uint64_t>(8));
  EXPECT_EQ(store().append_upload(alice_.id, "u1", 5, 0, {}, 9, 1, std::nullopt).status().code(),
            Errc::kInvalidArgument);
}

TEST_F(UploadStoreTest, AppendsStayWithinTheRoomOfTheOwnersUploadsInProgress) {
  make_upload("a", std::nullopt, 50'000);
  make_upload("b", std::nullopt, 50'000);
  make_upload("old", std::nullopt, 50'000);
  const UploadRoom room{100, 10'000};
  ASSERT_TRUE(store()
                  .append_upload(alice_.id, "a", 0, 60, {{chunk_id('a'), 0, 60, 60, 0}},
                                 std::nullopt, 50'000, room)
                  .is_ok());
  // 60 held by "a": "b" may take 40, not 41, and nothing of a refused append is recorded.
  auto over = store().append_upload(alice_.id, "b", 0, 41, {{chunk_id('b'), 0, 41, 41, 0}},
                                    std::nullopt, 50'000, room);
  EXPECT_EQ(over.status().code(), Errc::kQuotaExceeded);
  EXPECT_EQ(store().get_upload(alice_.id, "b")->offset, 0u);
  ASSERT_TRUE(store()
                  .append_upload(alice_.id, "b", 0, 40, {{chunk_id('b'), 0, 40, 40, 0}},
                                 std::nullopt, 50'000, room)
                  .is_ok());
  EXPECT_EQ(store().bytes_in_progress(alice_.id, 10'000).value(), 100u);
  // Expired and completed uploads hold nothing.
  EXPECT_EQ(store().bytes_in_progress(alice_.id, 50'000).value(), 0u);
  ASSERT_TRUE(store().complete_upload(alice_.id, "a", 42).is_ok());
  EXPECT_EQ(store().bytes_in_progress(alice_.id, 10'000).value(), 40u);
  EXPECT_TRUE(store()
                  .append_upload(alice_.id, "old", 0, 60, {{chunk_id('c'), 0, 60, 60, 0}},
                                 std::nullopt, 50'000, room)
                  .is_ok());
}

TEST_F(UploadStoreTest, RecordedChunksAreReferencedUntilTheUploadCompletesOrGoes) {
  make_upload("done", 10);
  make_upload("gone", 10);
  ASSERT_TRUE(store()
                  .append_upload(alice_.id, "done", 0, 10, {{chunk_id('a'), 0, 10, 10, 0}},
                                 std::nullopt, 1, std::nullopt)
                  .is_ok());
  ASSERT_TRUE(store()
                  .append_upload(alice_.id, "gone", 0, 5, {{chunk_id('b'), 0, 5, 5, 0}},
                                 std::nullopt, 1, std::nullopt)
                  .is_ok());
  EXPECT_EQ(referenced(), (std::set<std::string>{chunk_id('a'), chunk_id('b')}));
  ASSERT_TRUE(store().complete_upload(alice_.id, "done", 42).is_ok());
  EXPECT_EQ(store().get_upload(alice_.id, "done")->file_id, 42);
  ASSERT_TRUE(store().delete_upload(alice_.id, "gone").is_ok());
  EXPECT_TRUE(referenced().empty());
  EXPECT_EQ(store().get_upload(alice_.id, "gone").status().code(), Errc::kNotFound);
  // A complete upload takes no more bytes.
  EXPECT_EQ(store()
                .append_upload(alice_.id, "done", 10, 0, {}, std::nullopt, 1, std::nullopt)
                .status()
                .code(),
            Errc::kOffsetMismatch);
}

TEST_F(UploadStoreTest, ExpiredUploadsAreDeletedWithTheirChunks) {
  make_upload("old", 10, 5'000);
  make_upload("new", 10, 50'000);
  ASSERT_TRUE(store()
                  .append_upload(alice_.id, "old", 0, 5, {{chunk_id('a'), 0, 5, 5, 0}},
                                 std::nullopt, 5'000, std::nullopt)
                  .is_ok());
  auto deleted = store().delete_expired_uploads(6'000);
  ASSERT_TRUE(deleted.is_ok());
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ(store().get_upload(alice_.id, "old").status().code(), Errc::kNotFound);
  EXPECT_TRUE(store().get_upload(alice_.id, "new").is_ok());
  EXPECT_TRUE(referenced().empty());
}

}  // namespace
}  // namespace coffer::meta
