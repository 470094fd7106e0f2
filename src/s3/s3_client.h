#pragma once
// The S3 REST operations the chunk store needs, over HttpClient and Signer: addressing
// (path-style or virtual-hosted), signing, bounded concurrency, retries, and the mapping of
// S3 errors onto Errc.
//
// Errors:
//   kNotFound     the key does not exist (404 NoSuchKey)
//   kUnavailable  the service cannot be reached, keeps failing (timeouts, connection errors,
//                 500/502/503/504, SlowDown) after the retries, or refuses us: a wrong key or
//                 signature, access denied, a missing bucket. The operation did not happen.
//   kIoError      any other refusal (e.g. a payload that keeps failing its checksum)
// Messages carry the S3 error code and the request's method and key, never a credential or
// a signature.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <semaphore>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "s3/http_client.h"
#include "s3/sigv4.h"
#include "s3/xml.h"

namespace coffer::s3 {

struct S3Options {
  std::string endpoint;  // "https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:9000"
  std::string bucket;
  std::string region = "us-east-1";
  bool virtual_hosted = false;  // bucket.host/key instead of host/bucket/key
  Credentials credentials;
  // Requests in flight at once, across all threads.
  int max_concurrency = 32;
  // Attempts per operation for errors that may pass (transport, 5xx, SlowDown, a checksum
  // failure in transit); between them, full-jitter exponential backoff.
  int max_attempts = 4;
  std::chrono::milliseconds backoff_base{50};
  std::chrono::milliseconds backoff_cap{2000};
  HttpClientOptions http;
};

struct ObjectHead {
  uint64_t size = 0;
  int64_t last_modified_unix = 0;
};

class S3Client {
 public:
  // REQUIRES: options.endpoint is "http://host[:port]" or "https://host[:port]".
  explicit S3Client(S3Options options);
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // PUT with the payload's SHA-256 signed (x-amz-content-sha256) and its MD5 in
  // Content-MD5: the service refuses a body damaged on the way.
  Status put_object(const std::string& key, std::span<const std::byte> body);
  // The whole object.
  Result<std::vector<std::byte>> get_object(const std::string& key);
  // Bytes [offset, offset + out.size()) into `out`; fewer at the end of the object, 0 past
  // it. A zero-length out reads nothing.
  Result<size_t> get_range(const std::string& key, uint64_t offset, std::span<std::byte> out);
  // nullopt if the key does not exist.
  Result<std::optional<ObjectHead>> head_object(const std::string& key);
  // Deleting a missing key is OK.
  Status delete_object(const std::string& key);
  // One ListObjectsV2 page of keys under `prefix`; pass the previous page's token to go on.
  Result<ListPage> list_objects(const std::string& prefix, const std::string& continuation,
                                int max_keys = 1000);
  // OK if the bucket exists and these credentials may use it.
  Status head_bucket();

  // A presigned GET URL for `key`, valid `expires_seconds` from now.
  std::string presign_get(const std::string& key, int64_t expires_seconds) const;

  const S3Options& options() const { return options_; }

 private:
  struct Call {
    std::string method;
    std::string key;  // empty for bucket operations
    std::vector<Field> query;
    std::vector<Field> headers;  // besides Host, X-Amz-*, Authorization
    std::span<const std::byte> body;
    std::span<std::byte> sink;
  };

  // Signs and sends, retrying what may pass. Returns the response for a status the caller
  // handles (2xx, and any in `accept`); maps every other to a Status.
  Result<HttpResponse> execute(const Call& call, std::initializer_list<long> accept = {});
  Result<HttpResponse> attempt(const Call& call);
  std::string host_header() const;
  // The request path, not percent-encoded.
  std::string path_of(const std::string& key) const;
  std::string url_of(const std::string& encoded_path, const std::vector<Field>& query) const;
  std::chrono::milliseconds backoff(int attempt);

  const S3Options options_;
  std::string scheme_;  // "http" or "https"
  std::string host_;    // "host[:port]" of the endpoint
  Signer signer_;
  HttpClient http_;
  std::counting_semaphore<4096> slots_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;  // GUARDED_BY(rng_mu_)
};

}  // namespace coffer::s3
