#include "s3api/aws_chunked_body.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/base64.h"
#include "core/hex.h"
#include "s3/sigv4.h"

namespace coffer::s3api {
namespace {

constexpr size_t kReadBlock = 64 * 1024;

S3Error s3_error(int status, std::string code, std::string message) {
  return S3Error{status, std::move(code), std::move(message)};
}

S3Error incomplete_body() {
  return s3_error(400, "IncompleteBody",
                  "You did not provide the number of bytes specified by the Content-Length "
                  "HTTP header.");
}

S3Error malformed_chunk(std::string detail) {
  return s3_error(400, "InvalidRequest", "The aws-chunked body is malformed: " + detail);
}

S3Error malformed_trailer() {
  return s3_error(400, "MalformedTrailerError",
                  "The request contained trailing data that was not well-formed or did not "
                  "conform to our published schema.");
}

S3Error chunk_signature_mismatch() {
  return s3_error(403, "SignatureDoesNotMatch",
                  "The request signature we calculated does not match the signature you "
                  "provided. Check your key and signing method.");
}

// The Status read() returns alongside an S3 error: mismatches are kChecksumMismatch,
// everything else kBadRequest.
Status status_of(const S3Error& e) {
  const bool mismatch = e.code == "SignatureDoesNotMatch" || e.code == "BadDigest" ||
                        e.code == "XAmzContentSHA256Mismatch";
  return Status(mismatch ? Errc::kChecksumMismatch : Errc::kBadRequest, e.code + ": " + e.message);
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<uint64_t> parse_decimal(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool equal_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hex_of(std::string_view bytes) { return to_hex(bytes); }

// The digests a body is checked with at its end, and its MD5 (the ETag).
class BodyChecks {
 public:
  explicit BodyChecks(const BodyExpectations& expect) : expect_(expect) {
    if (expect.sha256_hex) sha256_.emplace(Digest::Kind::kSha256);
    if (expect.checksum) header_checksum_.emplace(expect.checksum->first);
    if (expect.trailer_checksum) trailer_checksum_.emplace(*expect.trailer_checksum);
  }

  void update(std::span<const std::byte> data) {
    length_ += data.size();
    md5_.update(data);
    if (sha256_) sha256_->update(data);
    if (header_checksum_) header_checksum_->update(data);
    if (trailer_checksum_) trailer_checksum_->update(data);
  }

  uint64_t length() const { return length_; }

  // At the end of the body: nullopt when it matches everything declared. `trailer_value`
  // is the checksum trailer's value, when the body had one.
  std::optional<S3Error> finish(const std::optional<std::string>& trailer_value) {
    md5_hex_ = hex_of(md5_.finish());
    if (expect_.decoded_length && *expect_.decoded_length != length_) return incomplete_body();
    if (sha256_ && hex_of(sha256_->finish()) != *expect_.sha256_hex) {
      return s3_error(400, "XAmzContentSHA256Mismatch",
                      "The provided 'x-amz-content-sha256' header does not match what was "
                      "computed.");
    }
    if (expect_.content_md5 && !equal_secret(md5_hex_, hex_of(*expect_.content_md5))) {
      return s3_error(400, "BadDigest",
                      "The Content-MD5 you specified did not match what we received.");
    }
    if (header_checksum_ && header_checksum_->finish() != expect_.checksum->second) {
      return checksum_mismatch(expect_.checksum->first);
    }
    if (trailer_checksum_ && trailer_value && trailer_checksum_->finish() != *trailer_value) {
      return checksum_mismatch(*expect_.trailer_checksum);
    }
    return std::nullopt;
  }

  const std::string& md5_hex() const { return md5_hex_; }

 private:
  static S3Error checksum_mismatch(ChecksumAlgorithm algorithm) {
    return s3_error(400, "BadDigest",
                    "The " + std::string(checksum_display_name(algorithm)) +
                        " you specified did not match the calculated checksum.");
  }

  const BodyExpectations& expect_;
  uint64_t length_ = 0;
  Digest md5_{Digest::Kind::kMd5};
  std::optional<Digest> sha256_;
  std::optional<Checksum> header_checksum_;
  std::optional<Checksum> trailer_checksum_;
  std::string md5_hex_;
};

// Buffered reads of lines and runs of bytes from the inner source.
class Input {
 public:
  enum class Got { kOk, kEnd, kTooLong, kBadLine, kTruncated, kError };

  explicit Input(ByteSource& inner) : inner_(inner), buf_(kReadBlock) {}

  // A line without its CRLF, at most `max` bytes. kEnd: the source ended before the line
  // began; kTruncated: within it.
  Got line(std::string& out, size_t max) {
    out.clear();
    while (true) {
      if (pos_ == end_) {
        if (Got g = fill(); g != Got::kOk)
          return g == Got::kEnd && !out.empty() ? Got::kTruncated : g;
      }
      const auto* begin = reinterpret_cast<const char*>(buf_.data()) + pos_;
      const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', end_ - pos_));
      const size_t take = nl ? static_cast<size_t>(nl - begin) + 1 : end_ - pos_;
      if (out.size() + take > max + 2) return Got::kTooLong;
      out.append(begin, take);
      pos_ += take;
      if (nl) break;
    }
    if (out.size() < 2 || out[out.size() - 2] != '\r') return Got::kBadLine;
    out.resize(out.size() - 2);
    return Got::kOk;
  }

  // Exactly `n` bytes, handed to `sink` piece by piece.
  template <typename Sink>
  Got bytes(uint64_t n, Sink&& sink) {
    while (n > 0) {
      if (pos_ == end_) {
        if (Got g = fill(); g != Got::kOk) return g == Got::kEnd ? Got::kTruncated : g;
      }
      const size_t take = static_cast<size_t>(std::min<uint64_t>(n, end_ - pos_));
      sink(std::span<const std::byte>(buf_.data() + pos_, take));
      pos_ += take;
      n -= take;
    }
    return Got::kOk;
  }

  const Status& error() const { return error_; }

 private:
  Got fill() {
    auto n = inner_.read(buf_);
    if (!n.is_ok()) {
      error_ = n.status();
      return Got::kError;
    }
    if (*n == 0) return Got::kEnd;
    pos_ = 0;
    end_ = *n;
    return Got::kOk;
  }

  ByteSource& inner_;
  std::vector<std::byte> buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  Status error_;
};

// Bytes handed out by read(): a buffer and how far the caller has taken it.
struct Outbox {
  std::vector<std::byte> data;
  size_t pos = 0;

  bool empty() const { return pos == data.size(); }
  size_t take(std::span<std::byte> buf) {
    const size_t n = std::min(buf.size(), data.size() - pos);
    std::copy_n(data.begin() + static_cast<ptrdiff_t>(pos), n, buf.begin());
    pos += n;
    return n;
  }
  void put(std::vector<std::byte>&& bytes) {
    data = std::move(bytes);
    pos = 0;
  }
};

// read() of both bodies: steps the decoder until it has bytes to release or is done; a
// failure it found sticks.
template <typename Decoder>
Result<size_t> read_stepwise(Decoder& decoder, std::optional<S3Error>& failure,
                             std::span<std::byte> buf) {
  if (failure) return status_of(*failure);
  while (decoder.out.empty()) {
    if (decoder.done || buf.empty()) return size_t{0};
    auto r = decoder.step();
    if (auto* e = std::get_if<S3Error>(&r)) {
      failure = *e;
      return status_of(*e);
    }
    if (auto* s = std::get_if<Status>(&r)) return *s;
  }
  return decoder.out.take(buf);
}

bool is_streaming(PayloadMode mode) {
  return mode == PayloadMode::kStreamingSigned || mode == PayloadMode::kStreamingSignedTrailer ||
         mode == PayloadMode::kStreamingUnsignedTrailer;
}

std::optional<S3Error> read_checksum_header(const api::Header& h, BodyExpectations& out) {
  const auto algorithm = checksum_from_header_name(h.name);
  if (!algorithm) return std::nullopt;  // x-amz-checksum-type, -algorithm, -mode, ...
  if (out.checksum) {
    return s3_error(400, "InvalidRequest",
                    "Expecting a single x-amz-checksum- header. Multiple checksum Types are not "
                    "allowed.");
  }
  const auto raw = base64_decode(trim(h.value), Base64::kStandard);
  if (!raw || raw->size() != checksum_size(*algorithm)) {
    return s3_error(
        400, "InvalidRequest",
        "Value for " + std::string(checksum_header_name(*algorithm)) + " header is invalid.");
  }
  out.checksum.emplace(*algorithm, std::string(trim(h.value)));
  return std::nullopt;
}

std::optional<S3Error> read_trailer_header(std::string_view value, BodyExpectations& out) {
  out.trailer_announced = true;
  const auto algorithm = checksum_from_header_name(trim(value));
  if (!algorithm) {
    return s3_error(400, "InvalidRequest",
                    "The value specified in the x-amz-trailer header is not supported");
  }
  out.trailer_checksum = algorithm;
  return std::nullopt;
}

}  // namespace

std::variant<BodyExpectations, S3Error> body_expectations(const VerifiedSignature& signature,
                                                          const std::vector<api::Header>& headers) {
  BodyExpectations out;
  if (signature.payload == PayloadMode::kSigned) out.sha256_hex = signature.payload_sha256;
  for (const auto& h : headers) {
    const std::string name = to_lower(h.name);
    if (name == "content-md5") {
      auto raw = base64_decode(trim(h.value), Base64::kStandard);
      if (!raw || raw->size() != 16) {
        return s3_error(400, "InvalidDigest", "The Content-MD5 you specified was not valid.");
      }
      out.content_md5 = std::move(raw);
    } else if (name == "x-amz-decoded-content-length") {
      out.decoded_length = parse_decimal(trim(h.value));
      if (!out.decoded_length) {
        return s3_error(400, "InvalidArgument", "x-amz-decoded-content-length is not a number.");
      }
    } else if (name == "content-length") {
      out.content_length = parse_decimal(trim(h.value));
    } else if (name == "x-amz-trailer") {
      if (auto e = read_trailer_header(h.value, out)) return *e;
    } else if (auto e = read_checksum_header(h, out)) {
      return *e;
    }
  }
  return out;
}

// The decoder. Each step() reads one chunk header, one chunk's data, or the end (the final
// chunk and the trailer section), and leaves in `out` whatever may now be released.
class AwsChunkedBody::Impl {
 public:
  Impl(ByteSource& inner, const VerifiedSignature& signature, BodyExpectations expect)
      : in_(inner),
        signature_(signature),
        expect_(std::move(expect)),
        checks_(expect_),
        previous_signature_(signature.seed_signature),
        signed_chunks_(signature.payload != PayloadMode::kStreamingUnsignedTrailer),
        trailers_(signature.payload != PayloadMode::kStreamingSigned) {}

  // Advances the decoder; returns the S3 error (or the inner source's Status) on failure.
  std::variant<std::monostate, S3Error, Status> step() {
    if (!header_read_) return read_header();
    if (chunk_size_ == 0) return read_end();
    return read_data();
  }

  Outbox out;
  bool done = false;
  const BodyChecks& checks() const { return checks_; }
  const BodyExpectations& expect() const { return expect_; }

 private:
  using StepResult = std::variant<std::monostate, S3Error, Status>;

  StepResult input_failure(Input::Got got, S3Error malformed) {
    switch (got) {
      case Input::Got::kError:
        return in_.error();
      case Input::Got::kEnd:
      case Input::Got::kTruncated:
        return incomplete_body();
      default:
        return malformed;
    }
  }

  // "hex-size[;chunk-signature=sig]". A chunk that follows a data chunk releases it: only
  // the last data chunk must wait for the end to verify.
  StepResult read_header() {
    std::string line;
    const Input::Got got = in_.line(line, kMaxChunkHeader);
    if (got != Input::Got::kOk) return input_failure(got, malformed_chunk("chunk header"));
    const size_t semi = line.find(';');
    const std::string_view size_text = std::string_view(line).substr(0, semi);
    uint64_t size = 0;
    auto [p, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (size_text.empty() || ec == std::errc::result_out_of_range || size > kMaxChunkSize) {
      return s3_error(403, "InvalidChunkSizeError",
                      "A chunk is larger than the largest this server accepts (64 MiB).");
    }
    if (ec != std::errc() || p != size_text.data() + size_text.size()) {
      return malformed_chunk("chunk size");
    }
    chunk_signature_.clear();
    if (semi != std::string::npos) {
      const std::string_view ext = std::string_view(line).substr(semi + 1);
      constexpr std::string_view kKey = "chunk-signature=";
      if (ext.starts_with(kKey)) chunk_signature_ = ext.substr(kKey.size());
    }
    if (signed_chunks_ && chunk_signature_.empty()) return chunk_signature_mismatch();
    chunk_size_ = size;
    header_read_ = true;
    if (size > 0 && !held_.empty()) {
      out.put(std::move(held_));
      held_.clear();
    }
    return std::monostate{};
  }

  // The data, its CRLF and its signature; then it is held until the next header.
  StepResult read_data() {
    std::vector<std::byte> data;
    Digest sha256(Digest::Kind::kSha256);
    const Input::Got got = in_.bytes(chunk_size_, [&](std::span<const std::byte> piece) {
      data.insert(data.end(), piece.begin(), piece.end());
      if (signed_chunks_) sha256.update(piece);
      checks_.update(piece);
    });
    if (got != Input::Got::kOk) return input_failure(got, malformed_chunk("chunk data"));
    if (auto e = read_crlf()) return *e;
    if (signed_chunks_ && !chunk_verifies(hex_of(sha256.finish()))) {
      return chunk_signature_mismatch();
    }
    if (expect_.decoded_length && checks_.length() > *expect_.decoded_length) {
      return incomplete_body();
    }
    held_ = std::move(data);
    header_read_ = false;
    return std::monostate{};
  }

  std::optional<StepResult> read_crlf() {
    std::string line;
    const Input::Got got = in_.line(line, 0);
    if (got == Input::Got::kOk) return std::nullopt;
    return input_failure(got, malformed_chunk("no CRLF after chunk data"));
  }

  // The chunk signature over the data's SHA-256, chained from the previous signature.
  bool chunk_verifies(const std::string& data_sha256) {
    const std::string to_sign = "AWS4-HMAC-SHA256-PAYLOAD\n" + signature_.amz_date + "\n" +
                                signature_.scope + "\n" + previous_signature_ + "\n" +
                                s3::sha256_hex("") + "\n" + data_sha256;
    const std::string expected = s3::signature_hex(signature_.signing_key, to_sign);
    if (!equal_secret(expected, chunk_signature_)) return false;
    previous_signature_ = chunk_signature_;
    return true;
  }

  // The final chunk's signature, the trailer section, then every end check.
  StepResult read_end() {
    if (signed_chunks_ && !chunk_verifies(s3::sha256_hex(""))) return chunk_signature_mismatch();
    std::vector<s3::Field> trailers;
    std::string trailer_signature;
    if (auto r = read_trailers(trailers, trailer_signature); r.index() != 0) return r;
    if (auto e = check_trailers(trailers, trailer_signature)) return *e;
    std::optional<std::string> checksum_value;
    for (const auto& [name, value] : trailers) {
      if (checksum_from_header_name(name)) checksum_value = value;
    }
    if (auto e = checks_.finish(checksum_value)) return *e;
    out.put(std::move(held_));
    done = true;
    return std::monostate{};
  }

  // Lines up to the empty one. The end of the source where that empty line belongs is
  // accepted: some clients leave it out, and everything it could close has arrived.
  StepResult read_trailers(std::vector<s3::Field>& trailers, std::string& signature) {
    size_t total = 0;
    std::string line;
    while (true) {
      const Input::Got got = in_.line(line, kMaxTrailerSection - total);
      if (got == Input::Got::kEnd) return std::monostate{};
      if (got != Input::Got::kOk) return input_failure(got, malformed_trailer());
      if (line.empty()) return std::monostate{};
      total += line.size() + 2;
      const size_t colon = line.find(':');
      if (!trailers_ || colon == std::string::npos) return malformed_trailer();
      std::string name = to_lower(trim(std::string_view(line).substr(0, colon)));
      std::string value(trim(std::string_view(line).substr(colon + 1)));
      if (name == "x-amz-trailer-signature") {
        signature = std::move(value);
      } else {
        trailers.emplace_back(std::move(name), std::move(value));
      }
    }
  }

  // Exactly the announced trailer, and for the signed mode its signature, chained from
  // the final chunk's.
  std::optional<S3Error> check_trailers(const std::vector<s3::Field>& trailers,
                                        const std::string& signature) {
    const size_t expected = expect_.trailer_checksum ? 1 : 0;
    if (trailers.size() != expected) return malformed_trailer();
    if (expected == 1 && checksum_from_header_name(trailers[0].first) != expect_.trailer_checksum) {
      return malformed_trailer();
    }
    if (signature_.payload != PayloadMode::kStreamingSignedTrailer) return std::nullopt;
    if (signature.empty()) return chunk_signature_mismatch();
    const std::string to_sign = "AWS4-HMAC-SHA256-TRAILER\n" + signature_.amz_date + "\n" +
                                signature_.scope + "\n" + previous_signature_ + "\n" +
                                s3::sha256_hex(s3::canonical_headers(trailers).first);
    if (!equal_secret(s3::signature_hex(signature_.signing_key, to_sign), signature)) {
      return chunk_signature_mismatch();
    }
    return std::nullopt;
  }

  Input in_;
  const VerifiedSignature signature_;  // a copy: the caller's may not outlive the body
  BodyExpectations expect_;
  BodyChecks checks_;
  std::string previous_signature_;
  const bool signed_chunks_;
  const bool trailers_;
  bool header_read_ = false;
  uint64_t chunk_size_ = 0;
  std::string chunk_signature_;
  std::vector<std::byte> held_;  // the last verified data chunk, until the next header
};

AwsChunkedBody::AwsChunkedBody(ByteSource& inner, const VerifiedSignature& signature,
                               BodyExpectations expect)
    : impl_(std::make_unique<Impl>(inner, signature, std::move(expect))) {}

AwsChunkedBody::~AwsChunkedBody() = default;

Result<size_t> AwsChunkedBody::read(std::span<std::byte> buf) {
  return read_stepwise(*impl_, failure_, buf);
}

std::string AwsChunkedBody::md5_hex() const { return impl_->checks().md5_hex(); }

std::optional<uint64_t> AwsChunkedBody::decoded_length_hint() const {
  return impl_->expect().decoded_length;
}

// Reads ahead one block: a block is released once the next one has arrived, the last one
// once the digests have matched.
class VerifyingBody::Impl {
 public:
  Impl(ByteSource& inner, BodyExpectations expect)
      : inner_(inner), expect_(std::move(expect)), checks_(expect_) {}

  std::variant<std::monostate, S3Error, Status> step() {
    std::vector<std::byte> block(kReadBlock);
    auto n = inner_.read(block);
    if (!n.is_ok()) return n.status();
    if (*n == 0) {
      if (auto e = checks_.finish(std::nullopt)) return *e;
      out.put(std::move(held_));
      done = true;
      return std::monostate{};
    }
    block.resize(*n);
    checks_.update(block);
    out.put(std::move(held_));
    held_ = std::move(block);
    return std::monostate{};
  }

  Outbox out;
  bool done = false;
  const BodyChecks& checks() const { return checks_; }
  const BodyExpectations& expect() const { return expect_; }

 private:
  ByteSource& inner_;
  BodyExpectations expect_;
  BodyChecks checks_;
  std::vector<std::byte> held_;
};

VerifyingBody::VerifyingBody(ByteSource& inner, BodyExpectations expect)
    : impl_(std::make_unique<Impl>(inner, std::move(expect))) {}

VerifyingBody::~VerifyingBody() = default;

Result<size_t> VerifyingBody::read(std::span<std::byte> buf) {
  return read_stepwise(*impl_, failure_, buf);
}

std::string VerifyingBody::md5_hex() const { return impl_->checks().md5_hex(); }

std::optional<uint64_t> VerifyingBody::decoded_length_hint() const {
  return impl_->expect().content_length;
}

std::variant<std::unique_ptr<VerifiedBody>, S3Error> make_request_body(
    const VerifiedSignature& signature, const std::vector<api::Header>& headers,
    ByteSource& inner) {
  auto expect = body_expectations(signature, headers);
  if (auto* e = std::get_if<S3Error>(&expect)) return *e;
  if (is_streaming(signature.payload)) {
    return std::make_unique<AwsChunkedBody>(inner, signature,
                                            std::move(std::get<BodyExpectations>(expect)));
  }
  const std::string encoding = to_lower(api::find_header(headers, "content-encoding"));
  if (encoding.find("aws-chunked") != std::string::npos) {
    return s3_error(400, "InvalidRequest",
                    "Content-Encoding aws-chunked needs a STREAMING- x-amz-content-sha256 value.");
  }
  return std::make_unique<VerifyingBody>(inner, std::move(std::get<BodyExpectations>(expect)));
}

}  // namespace coffer::s3api
