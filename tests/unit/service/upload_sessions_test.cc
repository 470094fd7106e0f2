// Resumable uploads in the domain: a body that breaks off keeps what arrived (so the client
// resumes after it), a checksummed body is all or nothing, long bodies record their progress
// as they go, and the last byte commits a file whose content is exactly the bytes sent.

#include "service/upload_sessions.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "service/maintenance.h"
#include "sqlite_catalog_test.h"
#include "store/sha256.h"

namespace coffer::service {
namespace {

using store::testing::MemoryChunkStore;
using store::testing::random_bytes;

// Serves `data` in reads of at most `step` bytes, then fails with `error` instead of ending
// when `error` is set.
class ScriptedBody : public ByteSource {
 public:
  ScriptedBody(std::span<const std::byte> data, size_t step, std::optional<Errc> error = {})
      : data_(data), step_(step), error_(error) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    if (pos_ == data_.size()) {
      if (error_) return Status(*error_, "the client went away");
      return size_t{0};
    }
    const size_t n = std::min({buf.size(), step_, data_.size() - pos_});
    std::copy_n(data_.begin() + pos_, n, buf.begin());
    pos_ += n;
    return n;
  }

 private:
  std::span<const std::byte> data_;
  size_t step_;
  std::optional<Errc> error_;
  size_t pos_ = 0;
};

std::span<const std::byte> all(const std::vector<std::byte>& data) { return data; }

std::string hex_sha256(std::span<const std::byte> data) {
  return store::ChunkId{store::Sha256::digest(data)}.hex();
}

class UploadSessionsTest : public testing::SqliteCatalogTest {
 protected:
  void SetUp() override {
    SqliteCatalogTest::SetUp();
    auto user = catalog_->create_user("alice", "$argon2id$hash", Role::kUser);
    ASSERT_TRUE(user.is_ok());
    alice_ = *user;
    UploadOptions options;
    options.segment_bytes = 256 * 1024;  // small, so a test body spans several segments
    store::ChunkerParams params{16 * 1024, 64 * 1024, 256 * 1024};
    files_ = std::make_unique<FileService>(*catalog_, chunks_, inflight_, leases_, params);
    uploads_ = std::make_unique<UploadSessions>(*catalog_, *files_, chunks_, inflight_, leases_,
                                                options, params);
  }

  meta::UploadRecord create(uint64_t length) {
    NewUpload request;
    request.owner_id = alice_.id;
    request.parent_id = alice_.root_id;
    request.name = "f.bin";
    request.length = length;
    auto record = uploads_->create(request);
    EXPECT_TRUE(record.is_ok()) << record.status().to_string();
    return record.is_ok() ? *record : meta::UploadRecord{};
  }

  Result<meta::UploadRecord> append(const std::string& id, uint64_t offset, ByteSource& body,
                                    std::optional<std::string> sha256 = {}) {
    AppendRequest request;
    request.owner_id = alice_.id;
    request.id = id;
    request.offset = offset;
    request.body = &body;
    request.expected_sha256 = std::move(sha256);
    return uploads_->append(request);
  }

  std::vector<std::byte> content(int64_t file_id) {
    auto node = files_->stat(alice_.id, file_id);
    EXPECT_TRUE(node.is_ok());
    auto reader = files_->open_content(*node, 0, node->size);
    EXPECT_TRUE(reader.is_ok());
    std::vector<std::byte> out(node->size);
    size_t at = 0;
    while (at < out.size()) {
      auto n = (*reader)->read(std::span(out).subspan(at));
      EXPECT_TRUE(n.is_ok() && *n > 0);
      if (!n.is_ok() || *n == 0) break;
      at += *n;
    }
    return out;
  }

  MemoryChunkStore chunks_;
  store::InflightChunks inflight_;
  store::GcLeases leases_{chunks_};
  User alice_;
  std::unique_ptr<FileService> files_;
  std::unique_ptr<UploadSessions> uploads_;
};

TEST_F(UploadSessionsTest, ABodyThatBreaksOffKeepsWhatArrivedAndTheRestCompletesIt) {
  const auto data = random_bytes(1'000'000, 1);
  auto record = create(data.size());
  ScriptedBody broken(all(data).first(700'000), 10'000, Errc::kClientClosed);
  auto r = append(record.id, 0, broken);
  EXPECT_EQ(r.status().code(), Errc::kClientClosed);
  auto now = uploads_->get(alice_.id, record.id);
  ASSERT_TRUE(now.is_ok());
  EXPECT_EQ(now->offset, 700'000u);  // every byte that arrived, durable
  ScriptedBody rest(all(data).subspan(700'000), 10'000);
  r = append(record.id, 700'000, rest);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_NE(r->file_id, 0);
  EXPECT_EQ(content(r->file_id), data);
  EXPECT_EQ(files_->stat(alice_.id, r->file_id)->sha256, hex_sha256(data));
}

TEST_F(UploadSessionsTest, AChecksummedBodyIsAllOrNothing) {
  const auto data = random_bytes(600'000, 2);
  auto record = create(data.size());
  ScriptedBody broken(all(data).first(400'000), 10'000, Errc::kClientClosed);
  EXPECT_EQ(append(record.id, 0, broken, hex_sha256(all(data).first(500'000))).status().code(),
            Errc::kClientClosed);
  EXPECT_EQ(uploads_->get(alice_.id, record.id)->offset, 0u);
  ScriptedBody wrong(all(data).first(500'000), 10'000);
  EXPECT_EQ(append(record.id, 0, wrong, std::string(64, '0')).status().code(),
            Errc::kChecksumMismatch);
  EXPECT_EQ(uploads_->get(alice_.id, record.id)->offset, 0u);
  ScriptedBody right(all(data).first(500'000), 10'000);
  auto r = append(record.id, 0, right, hex_sha256(all(data).first(500'000)));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->offset, 500'000u);
}

TEST_F(UploadSessionsTest, AStaleOffsetAppendsNothing) {
  const auto data = random_bytes(1000, 3);
  auto record = create(2000);
  ScriptedBody first(data, 1000);
  ASSERT_TRUE(append(record.id, 0, first).is_ok());
  ScriptedBody again(data, 1000);
  EXPECT_EQ(append(record.id, 0, again).status().code(), Errc::kOffsetMismatch);
  EXPECT_EQ(uploads_->get(alice_.id, record.id)->offset, 1000u);
}

TEST_F(UploadSessionsTest, RecordedChunksSurviveGarbageCollectionUntilTheUploadGoes) {
  const auto data = random_bytes(800'000, 4);
  auto record = create(data.size() + 1);
  ScriptedBody body(data, 50'000);
  ASSERT_TRUE(append(record.id, 0, body).is_ok());
  auto gc = collect_garbage(*catalog_, chunks_, inflight_, leases_, 0, std::chrono::seconds(1));
  ASSERT_TRUE(gc.is_ok());
  EXPECT_EQ(gc->chunks_removed, 0u);
  ASSERT_TRUE(uploads_->terminate(alice_.id, record.id).is_ok());
  gc = collect_garbage(*catalog_, chunks_, inflight_, leases_, 0, std::chrono::seconds(1));
  ASSERT_TRUE(gc.is_ok());
  EXPECT_GT(gc->chunks_removed, 0u);
  EXPECT_EQ(uploads_->get(alice_.id, record.id).status().code(), Errc::kNotFound);
}

}  // namespace
}  // namespace coffer::service
