// Verified request bodies: the AWS documentation's chunked uploads (with and without
// trailing headers), the body boto3 sent, and one test for each failure. A failure found
// at the end must never let the last bytes out.

#include "s3api/aws_chunked_body.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/base64.h"
#include "s3/sigv4.h"
#include "s3api/checksum.h"

namespace coffer::s3api {
namespace {

using Headers = std::vector<api::Header>;

constexpr std::string_view kExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

// Serves `data` at most `piece` bytes a read.
class StringSource : public ByteSource {
 public:
  StringSource(std::string data, size_t piece) : data_(std::move(data)), piece_(piece) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    const size_t n = std::min({buf.size(), piece_, data_.size() - pos_});
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t piece_;
  size_t pos_ = 0;
};

class BrokenSource : public ByteSource {
 public:
  Result<size_t> read(std::span<std::byte>) override {
    return Status(Errc::kClientClosed, "peer went away");
  }
};

struct Outcome {
  std::string data;
  Status status;
};

Outcome drain(ByteSource& body, size_t buf_size = 4096) {
  Outcome out;
  std::vector<std::byte> buf(buf_size);
  while (true) {
    auto n = body.read(buf);
    if (!n.is_ok()) {
      out.status = n.status();
      return out;
    }
    if (*n == 0) return out;
    out.data.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
}

// The example's signing context: 20130524, us-east-1, the documented secret.
VerifiedSignature example_signature(PayloadMode mode, std::string seed) {
  VerifiedSignature v;
  v.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  v.payload = mode;
  v.seed_signature = std::move(seed);
  v.amz_date = "20130524T000000Z";
  v.scope = "20130524/us-east-1/s3/aws4_request";
  v.signing_key = s3::signing_key(kExampleSecret, "20130524", "us-east-1", "s3");
  return v;
}

std::string chunk_signature(const VerifiedSignature& v, const std::string& previous,
                            std::string_view data) {
  return s3::signature_hex(v.signing_key, "AWS4-HMAC-SHA256-PAYLOAD\n" + v.amz_date + "\n" +
                                              v.scope + "\n" + previous + "\n" +
                                              s3::sha256_hex("") + "\n" + s3::sha256_hex(data));
}

// A signed aws-chunked body of `chunks` (a final empty chunk is added).
std::string signed_body(const VerifiedSignature& v, const std::vector<std::string>& chunks) {
  std::string out;
  std::string previous = v.seed_signature;
  auto add = [&](std::string_view data) {
    previous = chunk_signature(v, previous, data);
    char size[32];
    std::snprintf(size, sizeof(size), "%zx", data.size());
    out += std::string(size) + ";chunk-signature=" + previous + "\r\n";
    out += data;
    if (!data.empty()) out += "\r\n";
  };
  for (const auto& c : chunks) add(c);
  add("");
  out += "\r\n";
  return out;
}

std::unique_ptr<VerifiedBody> body_for(const VerifiedSignature& v, const Headers& headers,
                                       ByteSource& inner) {
  auto r = make_request_body(v, headers, inner);
  if (auto* e = std::get_if<S3Error>(&r)) {
    ADD_FAILURE() << e->code << ": " << e->message;
    return nullptr;
  }
  return std::move(std::get<std::unique_ptr<VerifiedBody>>(r));
}

// "Transferring Payload in Multiple Chunks": 65536 + 1024 bytes of 'a'

const std::string kSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const std::string kChunk1Sig = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
const std::string kChunk2Sig = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
const std::string kFinalSig = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

std::string documented_body() {
  return "10000;chunk-signature=" + kChunk1Sig + "\r\n" + std::string(65536, 'a') + "\r\n" +
         "400;chunk-signature=" + kChunk2Sig + "\r\n" + std::string(1024, 'a') + "\r\n" +
         "0;chunk-signature=" + kFinalSig + "\r\n\r\n";
}

const Headers kDocumentedHeaders = {{"Content-Encoding", "aws-chunked"},
                                    {"x-amz-decoded-content-length", "66560"},
                                    {"Content-Length", "66824"}};

TEST(AwsChunkedBodyTest, DocumentedExampleDecodes) {
  ASSERT_EQ(documented_body().size(), 66824U);  // the documented Content-Length
  const auto v = example_signature(PayloadMode::kStreamingSigned, kSeed);
  EXPECT_EQ(chunk_signature(v, kSeed, std::string(65536, 'a')), kChunk1Sig);
  for (size_t piece : {size_t{1} << 20, size_t{4096}, size_t{7}}) {
    StringSource inner(documented_body(), piece);
    auto body = body_for(v, kDocumentedHeaders, inner);
    const Outcome out = drain(*body, piece == 7 ? 1000 : 65536);
    ASSERT_TRUE(out.status.is_ok()) << out.status.to_string();
    EXPECT_EQ(out.data, std::string(66560, 'a'));
    EXPECT_EQ(body->md5_hex(), "da0d2e17cd5a8f14633c6b4aebad7e02");
    EXPECT_EQ(body->decoded_length_hint(), 66560U);
    EXPECT_FALSE(body->failure());
  }
}

S3Error failure_of(const std::string& wire, const VerifiedSignature& v, const Headers& headers,
                   Outcome* outcome = nullptr) {
  StringSource inner(wire, 1 << 20);
  auto body = body_for(v, headers, inner);
  Outcome out = drain(*body);
  EXPECT_FALSE(out.status.is_ok());
  if (outcome) *outcome = out;
  if (!body->failure()) {
    ADD_FAILURE() << "no S3 error; status " << out.status.to_string();
    return {};
  }
  return *body->failure();
}

TEST(AwsChunkedBodyTest, TamperedChunkIsRefusedBeforeAnyOfItIsReturned) {
  std::string wire = documented_body();
  wire[wire.find("\r\n") + 2 + 1000] = 'b';
  const auto v = example_signature(PayloadMode::kStreamingSigned, kSeed);
  Outcome out;
  const S3Error e = failure_of(wire, v, kDocumentedHeaders, &out);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_EQ(out.status.code(), Errc::kChecksumMismatch);
  EXPECT_TRUE(out.data.empty());
}

TEST(AwsChunkedBodyTest, WrongChunkSignature) {
  std::string wire = documented_body();
  wire.replace(wire.find(kChunk2Sig), 64, kChunk1Sig);
  Outcome out;
  const auto v = example_signature(PayloadMode::kStreamingSigned, kSeed);
  EXPECT_EQ(failure_of(wire, v, kDocumentedHeaders, &out).code, "SignatureDoesNotMatch");
  EXPECT_LT(out.data.size(), 66560U);
  // The chain: a final chunk signed out of order fails too.
  wire = documented_body();
  wire.replace(wire.find(kFinalSig), 64, chunk_signature(v, kSeed, ""));
  EXPECT_EQ(failure_of(wire, v, kDocumentedHeaders, &out).code, "SignatureDoesNotMatch");
  EXPECT_LT(out.data.size(), 66560U);
}

TEST(AwsChunkedBodyTest, TruncatedBody) {
  const auto v = example_signature(PayloadMode::kStreamingSigned, kSeed);
  const std::string wire = documented_body();
  for (size_t cut :
       {size_t{10}, size_t{40000}, wire.find("400;"), wire.find("0;chunk"), wire.size() - 3}) {
    Outcome out;
    const S3Error e = failure_of(wire.substr(0, cut), v, kDocumentedHeaders, &out);
    EXPECT_EQ(e.http_status, 400) << cut;
    EXPECT_EQ(e.code, "IncompleteBody") << cut;
    EXPECT_EQ(out.status.code(), Errc::kBadRequest);
    EXPECT_LT(out.data.size(), 66560U) << cut;
  }
}

TEST(AwsChunkedBodyTest, DecodedLengthMustMatch) {
  const auto v = example_signature(PayloadMode::kStreamingSigned, kSeed);
  Headers headers = kDocumentedHeaders;
  headers[1].value = "66561";
  Outcome out;
  EXPECT_EQ(failure_of(documented_body(), v, headers, &out).code, "IncompleteBody");
  EXPECT_LT(out.data.size(), 66560U);
  headers[1].value = "1000";
  EXPECT_EQ(failure_of(documented_body(), v, headers).code, "IncompleteBody");
}

TEST(AwsChunkedBodyTest, WrongContentMd5) {
  const auto v = example_signature(PayloadMode::kStreamingSigned, kSeed);
  Headers headers = kDocumentedHeaders;
  headers.push_back({"Content-MD5", base64_encode(std::string(16, 'x'), Base64::kStandard)});
  Outcome out;
  const S3Error e = failure_of(documented_body(), v, headers, &out);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "BadDigest");
  EXPECT_LT(out.data.size(), 66560U);
}

TEST(AwsChunkedBodyTest, ChunkSizesAreBounded) {
  const auto v = example_signature(PayloadMode::kStreamingSigned, kSeed);
  for (std::string header : {"4000001;chunk-signature=" + kChunk1Sig,
                             "ffffffffffffffffffff;chunk-signature=" + kChunk1Sig}) {
    const S3Error e = failure_of(header + "\r\n", v, kDocumentedHeaders);
    EXPECT_EQ(e.http_status, 403);
    EXPECT_EQ(e.code, "InvalidChunkSizeError");
  }
  const S3Error e = failure_of("10000;" + std::string(5000, 'x') + "\r\n", v, kDocumentedHeaders);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(failure_of("zz;chunk-signature=" + kChunk1Sig + "\r\n", v, kDocumentedHeaders).code,
            "InvalidRequest");
}

TEST(AwsChunkedBodyTest, InnerErrorsPassThrough) {
  const auto v = example_signature(PayloadMode::kStreamingSigned, kSeed);
  BrokenSource inner;
  auto body = body_for(v, kDocumentedHeaders, inner);
  const Outcome out = drain(*body);
  EXPECT_EQ(out.status.code(), Errc::kClientClosed);
  EXPECT_FALSE(body->failure());
}

TEST(AwsChunkedBodyTest, ChunksOfOurOwnSigningDecode) {
  const auto v = example_signature(PayloadMode::kStreamingSigned, "seed");
  const std::vector<std::string> chunks = {std::string(8192, 'x'), "tail"};
  StringSource inner(signed_body(v, chunks), 100);
  auto body = body_for(v, {{"x-amz-decoded-content-length", "8196"}}, inner);
  const Outcome out = drain(*body);
  ASSERT_TRUE(out.status.is_ok()) << out.status.to_string();
  EXPECT_EQ(out.data, chunks[0] + chunks[1]);
}

// "Signature calculations for trailing headers": the same object, a CRC32C trailer

const std::string kTrailerSeed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
const std::string kTrailerSig = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

std::string documented_trailer_body(std::string_view crc32c = "sOO8/Q==",
                                    std::string_view signature = kTrailerSig) {
  return "10000;chunk-signature="
         "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" +
         std::string(65536, 'a') +
         "\r\n400;chunk-signature="
         "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" +
         std::string(1024, 'a') +
         "\r\n0;chunk-signature="
         "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n"
         "x-amz-checksum-crc32c:" +
         std::string(crc32c) + "\r\nx-amz-trailer-signature:" + std::string(signature) + "\r\n\r\n";
}

const Headers kTrailerHeaders = {{"Content-Encoding", "aws-chunked"},
                                 {"x-amz-trailer", "x-amz-checksum-crc32c"},
                                 {"x-amz-decoded-content-length", "66560"}};

TEST(AwsChunkedBodyTest, DocumentedTrailerExampleDecodes) {
  const auto v = example_signature(PayloadMode::kStreamingSignedTrailer, kTrailerSeed);
  StringSource inner(documented_trailer_body(), 5000);
  auto body = body_for(v, kTrailerHeaders, inner);
  const Outcome out = drain(*body);
  ASSERT_TRUE(out.status.is_ok()) << out.status.to_string();
  EXPECT_EQ(out.data, std::string(66560, 'a'));
}

TEST(AwsChunkedBodyTest, WrongTrailerSignature) {
  const auto v = example_signature(PayloadMode::kStreamingSignedTrailer, kTrailerSeed);
  Outcome out;
  const S3Error e =
      failure_of(documented_trailer_body("sOO8/Q==", kSeed), v, kTrailerHeaders, &out);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_LT(out.data.size(), 66560U);
  // A changed checksum breaks the trailer's signature.
  EXPECT_EQ(failure_of(documented_trailer_body("AAAAAA=="), v, kTrailerHeaders).code,
            "SignatureDoesNotMatch");
}

// A signed trailer whose signature is right but whose checksum is not.
TEST(AwsChunkedBodyTest, WrongSignedTrailerChecksum) {
  const auto v = example_signature(PayloadMode::kStreamingSignedTrailer, kTrailerSeed);
  const std::string wrong = "x-amz-checksum-crc32c:AAAAAA==\n";
  const std::string final_sig = "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992";
  const std::string signature =
      s3::signature_hex(v.signing_key, "AWS4-HMAC-SHA256-TRAILER\n" + v.amz_date + "\n" + v.scope +
                                           "\n" + final_sig + "\n" + s3::sha256_hex(wrong));
  Outcome out;
  const S3Error e =
      failure_of(documented_trailer_body("AAAAAA==", signature), v, kTrailerHeaders, &out);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "BadDigest");
  EXPECT_EQ(e.message, "The CRC32C you specified did not match the calculated checksum.");
  EXPECT_EQ(out.status.code(), Errc::kChecksumMismatch);
  EXPECT_LT(out.data.size(), 66560U);
}

// What boto3 1.43.11 sent for put_object over HTTPS (STREAMING-UNSIGNED-PAYLOAD-TRAILER,
// its default CRC32) with the 20000 bytes (i * 7 + 3) % 256. The wire bytes were captured
// through a botocore 'before-send' hook and compared equal to the framing rebuilt here.

std::string boto_data(size_t n = 20000) {
  std::string data;
  for (size_t i = 0; i < n; ++i) data.push_back(static_cast<char>((i * 7 + 3) % 256));
  return data;
}

std::string unsigned_body(const std::vector<std::string>& chunks, std::string_view trailers) {
  std::string out;
  for (const auto& c : chunks) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx", c.size());
    out += std::string(size) + "\r\n" + c + "\r\n";
  }
  return out + "0\r\n" + std::string(trailers) + "\r\n";
}

const Headers kBotoHeaders = {{"Transfer-Encoding", "chunked"},
                              {"Content-Encoding", "aws-chunked"},
                              {"X-Amz-Trailer", "x-amz-checksum-crc32"},
                              {"X-Amz-Decoded-Content-Length", "20000"},
                              {"x-amz-sdk-checksum-algorithm", "CRC32"},
                              {"X-Amz-Content-SHA256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}};

VerifiedSignature unsigned_trailer_signature() {
  VerifiedSignature v;
  v.payload = PayloadMode::kStreamingUnsignedTrailer;
  return v;
}

TEST(AwsChunkedBodyTest, BotoUnsignedTrailerDecodes) {
  const std::string wire =
      "4e20\r\n" + boto_data() + "\r\n0\r\nx-amz-checksum-crc32:3r2hYw==\r\n\r\n";
  ASSERT_EQ(wire, unsigned_body({boto_data()}, "x-amz-checksum-crc32:3r2hYw==\r\n"));
  ASSERT_EQ(wire.size(), 20044U);  // as captured
  StringSource inner(wire, 1000);
  auto body = body_for(unsigned_trailer_signature(), kBotoHeaders, inner);
  const Outcome out = drain(*body);
  ASSERT_TRUE(out.status.is_ok()) << out.status.to_string();
  EXPECT_EQ(out.data, boto_data());
  EXPECT_EQ(body->md5_hex(), "6633ba8338d338dc3f3b642b440364ac");
}

TEST(AwsChunkedBodyTest, WrongTrailerChecksumNeverYieldsTheLastBytes) {
  const std::string data = boto_data();
  const std::vector<std::string> chunks = {data.substr(0, 8192), data.substr(8192, 8192),
                                           data.substr(16384)};
  Outcome out;
  const S3Error e = failure_of(unsigned_body(chunks, "x-amz-checksum-crc32:AAAAAA==\r\n"),
                               unsigned_trailer_signature(), kBotoHeaders, &out);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "BadDigest");
  EXPECT_EQ(e.message, "The CRC32 you specified did not match the calculated checksum.");
  EXPECT_EQ(out.data, data.substr(0, 16384));  // the last chunk was held back
}

TEST(AwsChunkedBodyTest, TrailersMustBeTheAnnouncedOnes) {
  const std::string data = boto_data();
  for (std::string trailers : {std::string(""), std::string("x-amz-checksum-sha1:AAAA\r\n"),
                               std::string("x-amz-checksum-crc32:3r2hYw==\r\nx-amz-meta-a:b\r\n"),
                               std::string("no colon\r\n")}) {
    const S3Error e =
        failure_of(unsigned_body({data}, trailers), unsigned_trailer_signature(), kBotoHeaders);
    EXPECT_EQ(e.code, "MalformedTrailerError") << trailers;
  }
}

TEST(AwsChunkedBodyTest, MissingFinalEmptyLineIsAccepted) {
  std::string wire = unsigned_body({boto_data()}, "x-amz-checksum-crc32:3r2hYw==\r\n");
  wire.resize(wire.size() - 2);
  StringSource inner(wire, 1 << 20);
  auto body = body_for(unsigned_trailer_signature(), kBotoHeaders, inner);
  EXPECT_TRUE(drain(*body).status.is_ok());
}

TEST(AwsChunkedBodyTest, UnsupportedTrailerIsRefusedUpFront) {
  Headers headers = kBotoHeaders;
  headers[2].value = "x-amz-meta-color";
  StringSource inner("", 1);
  auto r = make_request_body(unsigned_trailer_signature(), headers, inner);
  ASSERT_TRUE(std::holds_alternative<S3Error>(r));
  EXPECT_EQ(std::get<S3Error>(r).code, "InvalidRequest");
}

// Plain bodies

VerifiedSignature signed_payload(std::string sha256) {
  VerifiedSignature v;
  v.payload = PayloadMode::kSigned;
  v.payload_sha256 = std::move(sha256);
  return v;
}

TEST(VerifyingBodyTest, BotoSignedPayloadWithChecksumHeader) {
  // boto3's put_object over HTTP: the body's SHA-256 and its CRC32 header.
  const auto v = signed_payload("576358d0914fe2133920b1c1f46867d49959124d425af9434f431548791cca79");
  const Headers headers = {{"x-amz-checksum-crc32", "3r2hYw=="}, {"Content-Length", "20000"}};
  StringSource inner(boto_data(), 3000);
  auto body = body_for(v, headers, inner);
  const Outcome out = drain(*body, 777);
  ASSERT_TRUE(out.status.is_ok()) << out.status.to_string();
  EXPECT_EQ(out.data, boto_data());
  EXPECT_EQ(body->md5_hex(), "6633ba8338d338dc3f3b642b440364ac");
  EXPECT_EQ(body->decoded_length_hint(), 20000U);
}

TEST(VerifyingBodyTest, Sha256MismatchNeverYieldsTheLastBytes) {
  const std::string data = boto_data(200000);
  const auto v = signed_payload(s3::sha256_hex(data.substr(1)));
  Outcome out;
  const S3Error e = failure_of(data, v, {}, &out);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "XAmzContentSHA256Mismatch");
  EXPECT_EQ(out.status.code(), Errc::kChecksumMismatch);
  EXPECT_LT(out.data.size(), data.size());
  EXPECT_EQ(out.data, data.substr(0, out.data.size()));
}

TEST(VerifyingBodyTest, ContentMd5) {
  VerifiedSignature v;
  Headers right = {{"Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="}};  // MD5("hello")
  StringSource inner("hello", 2);
  auto body = body_for(v, right, inner);
  EXPECT_EQ(drain(*body).data, "hello");
  EXPECT_EQ(body->md5_hex(), "5d41402abc4b2a76b9719d911017c592");

  Outcome out;
  const S3Error e = failure_of("hellO", v, right, &out);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "BadDigest");
  EXPECT_EQ(e.message, "The Content-MD5 you specified did not match what we received.");
  EXPECT_TRUE(out.data.empty());

  for (std::string bad : {"XUFAKrxLKna5cZ2REBfF", "not base64!", "aGVsbG8=", ""}) {
    StringSource unused("", 1);
    auto r = make_request_body(v, {{"Content-MD5", bad}}, unused);
    ASSERT_TRUE(std::holds_alternative<S3Error>(r)) << bad;
    EXPECT_EQ(std::get<S3Error>(r).code, "InvalidDigest");
    EXPECT_EQ(std::get<S3Error>(r).http_status, 400);
  }
}

TEST(VerifyingBodyTest, ChecksumHeader) {
  VerifiedSignature v;
  Checksum sha256(ChecksumAlgorithm::kSha256);
  sha256.update("hello");
  const Headers right = {{"x-amz-checksum-sha256", sha256.finish()}};
  StringSource inner("hello", 1);
  EXPECT_TRUE(drain(*body_for(v, right, inner)).status.is_ok());

  Outcome out;
  const S3Error e = failure_of("hellO", v, right, &out);
  EXPECT_EQ(e.code, "BadDigest");
  EXPECT_EQ(e.message, "The SHA256 you specified did not match the calculated checksum.");
  EXPECT_TRUE(out.data.empty());

  for (const Headers& bad :
       {Headers{{"x-amz-checksum-crc32", "AAAA"}},
        Headers{{"x-amz-checksum-crc32", "AAAAAA=="}, {"x-amz-checksum-crc32c", "AAAAAA=="}}}) {
    StringSource unused("", 1);
    auto r = make_request_body(v, bad, unused);
    ASSERT_TRUE(std::holds_alternative<S3Error>(r));
    EXPECT_EQ(std::get<S3Error>(r).code, "InvalidRequest");
  }
}

TEST(VerifyingBodyTest, AwsChunkedNeedsAStreamingPayload) {
  StringSource inner("", 1);
  auto r =
      make_request_body(VerifiedSignature{}, {{"Content-Encoding", "gzip,aws-chunked"}}, inner);
  ASSERT_TRUE(std::holds_alternative<S3Error>(r));
  EXPECT_EQ(std::get<S3Error>(r).code, "InvalidRequest");
}

}  // namespace
}  // namespace coffer::s3api
