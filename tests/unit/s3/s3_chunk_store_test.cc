// S3ChunkStore against a real S3-compatible server (s3rver, tests/s3), and S3Client's retry
// and error mapping against a scripted one.

#include "s3/s3_chunk_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <set>

#include "../store/store_test_util.h"
#include "s3/http_client.h"
#include "s3_test_server.h"
#include "store/chunk_codec.h"
#include "store/object_reader.h"

namespace coffer::s3 {
namespace {

using coffer::store::ChunkCodec;
using coffer::store::ChunkId;
using coffer::store::testing::compressible_bytes;
using coffer::store::testing::random_bytes;
using testing::S3TestServer;
using testing::ScriptedHttpServer;

struct Blob {
  ChunkId id;
  std::vector<std::byte> raw;
  std::vector<std::byte> encoded;
};

Blob make_blob(std::vector<std::byte> raw) {
  Blob b{ChunkId::of(raw), std::move(raw), {}};
  b.encoded = ChunkCodec::encode(b.raw).bytes;
  return b;
}

S3Options options_for(const std::string& endpoint, std::string secret = "S3RVER") {
  S3Options o;
  o.endpoint = endpoint;
  o.bucket = "coffer-test";
  o.credentials = {"S3RVER", std::move(secret), ""};
  o.backoff_base = std::chrono::milliseconds(1);
  o.backoff_cap = std::chrono::milliseconds(5);
  return o;
}

class S3ChunkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!S3TestServer::available()) GTEST_SKIP() << "node or tests/s3/node_modules is missing";
    ASSERT_TRUE(server_.start());
    store_ = make_store();
  }
  std::unique_ptr<S3ChunkStore> make_store(S3ChunkStoreOptions o = {},
                                           std::string secret = "S3RVER") {
    if (o.prefix.empty()) o.prefix = "unit/p";
    return std::make_unique<S3ChunkStore>(options_for(server_.endpoint(), std::move(secret)), o);
  }

  S3TestServer server_;
  std::unique_ptr<S3ChunkStore> store_;
};

TEST_F(S3ChunkStoreTest, RoundTrip) {
  Blob blob = make_blob(random_bytes(300'000, 1));
  EXPECT_EQ(*store_->touch(blob.id), false);
  EXPECT_EQ(store_->get(blob.id).status().code(), Errc::kNotFound);
  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  EXPECT_EQ(store_->key_of(blob.id),
            "unit/p/chunks/" + blob.id.hex().substr(0, 2) + "/" + blob.id.hex());
  EXPECT_EQ(*store_->touch(blob.id), true);
  auto got = store_->get(blob.id);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(*got, blob.encoded);
  EXPECT_TRUE(store_->check_ready().is_ok());
  EXPECT_FALSE(store_->reads_in_place());
}

TEST_F(S3ChunkStoreTest, ReadAtReadsRanges) {
  Blob blob = make_blob(random_bytes(100'000, 2));
  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  std::vector<std::byte> out(1000);
  for (uint64_t offset : {uint64_t{0}, uint64_t{16}, uint64_t{54'321}}) {
    auto n = store_->read_at(blob.id, offset, out);
    ASSERT_TRUE(n.is_ok()) << n.status().to_string();
    ASSERT_EQ(*n, out.size());
    EXPECT_TRUE(std::equal(out.begin(), out.end(), blob.encoded.begin() + offset));
  }
  // Short at the end, empty past it.
  const uint64_t size = blob.encoded.size();
  EXPECT_EQ(*store_->read_at(blob.id, size - 10, out), 10u);
  EXPECT_EQ(*store_->read_at(blob.id, size, out), 0u);
  EXPECT_EQ(*store_->read_at(blob.id, size + 5000, out), 0u);
  EXPECT_EQ(store_->read_at(ChunkId::of(random_bytes(10, 99)), 0, out).status().code(),
            Errc::kNotFound);
}

TEST_F(S3ChunkStoreTest, RemoveIsIdempotent) {
  Blob blob = make_blob(random_bytes(1000, 3));
  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  ASSERT_TRUE(store_->remove(blob.id).is_ok());
  EXPECT_EQ(*store_->touch(blob.id), false);
  EXPECT_TRUE(store_->remove(blob.id).is_ok());
}

TEST_F(S3ChunkStoreTest, ForEachFollowsContinuationTokens) {
  S3ChunkStoreOptions o;
  o.prefix = "unit/listing";
  o.list_page_size = 7;
  auto store = make_store(o);
  std::set<ChunkId> put;
  for (int i = 0; i < 30; ++i) {
    Blob blob = make_blob(random_bytes(100 + i, 1000 + i));
    ASSERT_TRUE(store->put(blob.id, blob.encoded).is_ok());
    put.insert(blob.id);
  }
  // Neighbours that are not chunks of this store are ignored.
  auto other = make_store();
  Blob stray = make_blob(random_bytes(50, 7));
  ASSERT_TRUE(other->put(stray.id, stray.encoded).is_ok());
  ASSERT_TRUE(
      store->client().put_object("unit/listing/chunks/zz/not-a-chunk", stray.encoded).is_ok());

  std::set<ChunkId> seen;
  const int64_t now = std::time(nullptr);
  Status walked = store->for_each([&](const store::StoredChunkInfo& info) {
    EXPECT_TRUE(seen.insert(info.id).second);
    EXPECT_GT(info.stored_bytes, ChunkCodec::kHeaderSize);
    EXPECT_LE(std::abs(info.modified_unix_seconds - now), 120);
    return Status::ok();
  });
  ASSERT_TRUE(walked.is_ok()) << walked.to_string();
  EXPECT_EQ(seen, put);
  // fn's error stops the walk.
  int calls = 0;
  Status stopped = store->for_each([&](const store::StoredChunkInfo&) {
    ++calls;
    return Status(Errc::kInternal, "stop");
  });
  EXPECT_EQ(stopped.code(), Errc::kInternal);
  EXPECT_EQ(calls, 1);
}

TEST_F(S3ChunkStoreTest, TouchReportsAStaleChunkAbsentSoItIsWrittenAgain) {
  S3ChunkStoreOptions o;
  o.refresh_after_seconds = 0;
  auto eager = make_store(o);
  Blob blob = make_blob(random_bytes(1000, 4));
  ASSERT_TRUE(eager->put(blob.id, blob.encoded).is_ok());
  EXPECT_EQ(*eager->touch(blob.id), false);
  EXPECT_EQ(*store_->touch(blob.id), true);  // the default: fresh for 15 minutes
}

TEST_F(S3ChunkStoreTest, AWrongSecretIsRefusedAsUnavailable) {
  auto wrong = make_store({}, "not-the-secret");
  Blob blob = make_blob(random_bytes(1000, 5));
  Status put = wrong->put(blob.id, blob.encoded);
  EXPECT_EQ(put.code(), Errc::kUnavailable);
  EXPECT_NE(put.message().find("SignatureDoesNotMatch"), std::string::npos) << put.message();
  EXPECT_EQ(put.message().find("not-the-secret"), std::string::npos);
  EXPECT_EQ(wrong->get(blob.id).status().code(), Errc::kUnavailable);
  EXPECT_EQ(wrong->check_ready().code(), Errc::kUnavailable);
  EXPECT_EQ(*store_->touch(blob.id), false);  // nothing was stored
}

TEST_F(S3ChunkStoreTest, AServerThatIsDownIsUnavailableAndRecovers) {
  Blob blob = make_blob(random_bytes(1000, 6));
  server_.stop();
  auto started = std::chrono::steady_clock::now();
  Status put = store_->put(blob.id, blob.encoded);
  EXPECT_EQ(put.code(), Errc::kUnavailable) << put.to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(store_->touch(blob.id).status().code(), Errc::kUnavailable);
  EXPECT_EQ(store_->check_ready().code(), Errc::kUnavailable);
  ASSERT_TRUE(server_.start());
  EXPECT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  EXPECT_TRUE(store_->check_ready().is_ok());
}

TEST_F(S3ChunkStoreTest, DamagedBytesAreACorruptionErrorForReaders) {
  for (bool compressible : {false, true}) {
    Blob blob = make_blob(compressible ? compressible_bytes(200'000, 8) : random_bytes(200'000, 8));
    ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
    {
      std::fstream f(server_.file_of(store_->key_of(blob.id)),
                     std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(blob.encoded.size() - 7));
      f.put('\x5a');
    }
    store::ChunkRef ref{blob.id, 0, static_cast<uint32_t>(blob.raw.size()),
                        static_cast<uint32_t>(blob.encoded.size()),
                        compressible ? store::ChunkEncoding::kZstd : store::ChunkEncoding::kRaw};
    store::ObjectReader reader(*store_, {ref}, 0, 100);
    std::vector<std::byte> out(100);
    auto n = reader.read(out);
    EXPECT_EQ(n.status().code(), Errc::kCorruption) << compressible;
  }
}

TEST_F(S3ChunkStoreTest, PresignedUrlNeedsNoCredentials) {
  Blob blob = make_blob(random_bytes(5000, 9));
  ASSERT_TRUE(store_->put(blob.id, blob.encoded).is_ok());
  HttpClient http;
  HttpRequest request;
  request.url = store_->client().presign_get(store_->key_of(blob.id), 60);
  auto response = http.perform(request);
  ASSERT_TRUE(response.is_ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, blob.encoded);
  request.url.back() = request.url.back() == '0' ? '1' : '0';  // a forged signature
  response = http.perform(request);
  ASSERT_TRUE(response.is_ok());
  EXPECT_EQ(response->status, 403);
}

TEST_F(S3ChunkStoreTest, ABodyThatDoesNotMatchItsChecksumIsNotStored) {
  HttpClient http;
  HttpRequest request;
  request.method = "PUT";
  request.url = server_.endpoint() + "/coffer-test/unit/bad-md5";
  const std::string body = "payload";
  request.body = std::as_bytes(std::span(body));
  request.headers = {{"Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA=="}};
  auto response = http.perform(request);
  ASSERT_TRUE(response.is_ok());
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(response->body_text().find("BadDigest"), std::string::npos);
}

// The scripted server: retries and error mapping without a real service.

TEST(S3ClientRetryTest, SlowDownIsRetriedWithBackoff) {
  ScriptedHttpServer server({ScriptedHttpServer::error(503, "SlowDown"),
                             ScriptedHttpServer::error(500, "InternalError"),
                             ScriptedHttpServer::response(200, "")});
  S3Client client(options_for(server.endpoint()));
  const std::string body = "x";
  EXPECT_TRUE(client.put_object("k", std::as_bytes(std::span(body))).is_ok());
  EXPECT_EQ(server.requests(), 3u);
  EXPECT_NE(server.head(0).find("Authorization: AWS4-HMAC-SHA256 Credential=S3RVER/"),
            std::string::npos);
  EXPECT_NE(server.head(0).find("Content-MD5: "), std::string::npos);
}

TEST(S3ClientRetryTest, PersistentFailureIsUnavailableAfterTheLastAttempt) {
  ScriptedHttpServer server({ScriptedHttpServer::error(503, "SlowDown")});
  S3Options o = options_for(server.endpoint());
  o.max_attempts = 3;
  S3Client client(o);
  auto got = client.get_object("k");
  EXPECT_EQ(got.status().code(), Errc::kUnavailable);
  EXPECT_NE(got.status().message().find("SlowDown"), std::string::npos);
  EXPECT_EQ(server.requests(), 3u);
}

TEST(S3ClientRetryTest, RefusalsAreNotRetried) {
  ScriptedHttpServer server({ScriptedHttpServer::error(403, "SignatureDoesNotMatch"),
                             ScriptedHttpServer::error(404, "NoSuchKey"),
                             ScriptedHttpServer::error(400, "InvalidArgument"),
                             ScriptedHttpServer::error(404, "NoSuchBucket")});
  S3Client client(options_for(server.endpoint()));
  EXPECT_EQ(client.get_object("k").status().code(), Errc::kUnavailable);
  EXPECT_EQ(client.get_object("k").status().code(), Errc::kNotFound);
  EXPECT_EQ(client.get_object("k").status().code(), Errc::kIoError);
  EXPECT_EQ(client.get_object("k").status().code(), Errc::kUnavailable);
  EXPECT_EQ(server.requests(), 4u);
}

TEST(S3ClientAddressingTest, PathStyleAndVirtualHosted) {
  ScriptedHttpServer server({ScriptedHttpServer::response(200, "")});
  const std::string port = server.endpoint().substr(server.endpoint().rfind(':'));
  S3Options path_style = options_for("http://localhost" + port);
  ASSERT_TRUE(S3Client(path_style).get_object("a b/c").is_ok());
  EXPECT_NE(server.head(0).find("GET /coffer-test/a%20b/c HTTP/1.1"), std::string::npos);
  EXPECT_NE(server.head(0).find("Host: localhost" + port), std::string::npos);
  // curl resolves any name under localhost to the loopback address.
  S3Options virtual_hosted = path_style;
  virtual_hosted.virtual_hosted = true;
  ASSERT_TRUE(S3Client(virtual_hosted).get_object("a b/c").is_ok());
  EXPECT_NE(server.head(1).find("GET /a%20b/c HTTP/1.1"), std::string::npos) << server.head(1);
  EXPECT_NE(server.head(1).find("Host: coffer-test.localhost" + port), std::string::npos);
}

TEST(S3ClientRetryTest, AServerThatStallsTimesOut) {
  // Accepts connections (the kernel does, from the backlog) and never answers.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  S3Options o = options_for("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  o.http.stall_timeout = std::chrono::seconds(1);
  o.max_attempts = 2;
  S3Client client(o);
  auto started = std::chrono::steady_clock::now();
  auto got = client.get_object("k");
  EXPECT_EQ(got.status().code(), Errc::kUnavailable) << got.status().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  ::close(fd);
}

TEST(S3ClientRetryTest, NoServerIsUnavailable) {
  S3Options o = options_for("http://127.0.0.1:1");
  S3Client client(o);
  auto got = client.get_object("k");
  EXPECT_EQ(got.status().code(), Errc::kUnavailable);
  EXPECT_NE(got.status().message().find("unreachable"), std::string::npos);
}

}  // namespace
}  // namespace coffer::s3
