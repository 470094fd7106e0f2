#include "s3/s3_client.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/base64.h"
#include "core/digest.h"

namespace coffer::s3 {
namespace {

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string base64_md5(std::span<const std::byte> data) {
  Digest md5(Digest::Kind::kMd5);
  md5.update(data);
  return base64_encode(md5.finish(), Base64::kStandard);
}

std::string sha256_hex_of(std::span<const std::byte> data) {
  return sha256_hex({reinterpret_cast<const char*>(data.data()), data.size()});
}

const std::string& empty_sha256() {
  static const std::string kEmpty = sha256_hex("");
  return kEmpty;
}

// "s3 GET chunks/ab/ab…: " — the prefix of error messages about one request.
std::string describe(std::string_view method, std::string_view key) {
  std::string out = "s3 ";
  out += method;
  out += ' ';
  out += key.empty() ? std::string_view("bucket") : key;
  out += ": ";
  return out;
}

// Statuses and S3 codes that may pass on another attempt.
bool retryable(long status, std::string_view code) {
  if (status == 500 || status == 502 || status == 503 || status == 504 || status == 429) {
    return true;
  }
  return code == "SlowDown" || code == "RequestTimeout" || code == "BadDigest" ||
         code == "XAmzContentSHA256Mismatch" || code == "InternalError";
}

Status status_for(const std::string& what, long status, const ErrorDocument& error) {
  std::string code = error.code.empty() ? "HTTP " + std::to_string(status) : error.code;
  if (status == 404 && (error.code.empty() || error.code == "NoSuchKey")) {
    return Status(Errc::kNotFound, what + "no such key");
  }
  if (error.code == "NoSuchBucket") {
    return Status(Errc::kUnavailable, what + "the bucket does not exist (NoSuchBucket)");
  }
  if (error.code == "SignatureDoesNotMatch" || error.code == "InvalidAccessKeyId") {
    return Status(Errc::kUnavailable, what + "the service refused our credentials (" + code +
                                          "): check the access key id and secret access key");
  }
  if (status == 403) {
    // HEAD answers carry no error document, so a bad signature looks like any refusal.
    return Status(Errc::kUnavailable, what + "access denied (" + code +
                                          "): check the credentials and the bucket's permissions");
  }
  if (retryable(status, error.code)) {
    return Status(Errc::kUnavailable, what + "the service keeps failing (" + code + ")");
  }
  return Status(Errc::kIoError, what + "refused (" + code + ")");
}

}  // namespace

S3Client::S3Client(S3Options options)
    : options_(std::move(options)),
      signer_(options_.credentials, options_.region),
      http_(options_.http),
      slots_(std::clamp(options_.max_concurrency, 1, 4096)),
      rng_(std::random_device{}()) {
  std::string_view endpoint = options_.endpoint;
  const size_t sep = endpoint.find("://");
  scheme_ = std::string(endpoint.substr(0, sep));
  host_ = std::string(endpoint.substr(sep + 3));
  while (!host_.empty() && host_.back() == '/') host_.pop_back();
}

std::string S3Client::host_header() const {
  return options_.virtual_hosted ? options_.bucket + "." + host_ : host_;
}

std::string S3Client::path_of(const std::string& key) const {
  if (options_.virtual_hosted) return "/" + key;
  return key.empty() ? "/" + options_.bucket : "/" + options_.bucket + "/" + key;
}

std::string S3Client::url_of(const std::string& encoded_path,
                             const std::vector<Field>& query) const {
  std::string url = scheme_ + "://" + host_header() + encoded_path;
  char sep = '?';
  for (const auto& [name, value] : query) {
    url += sep;
    url += uri_encode(name, false);
    url += '=';
    url += uri_encode(value, false);
    sep = '&';
  }
  return url;
}

std::chrono::milliseconds S3Client::backoff(int attempt) {
  const int64_t cap = options_.backoff_cap.count();
  const int64_t ceiling =
      std::min<int64_t>(cap, options_.backoff_base.count() << std::min(attempt, 20));
  std::lock_guard lock(rng_mu_);
  return std::chrono::milliseconds(
      std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(ceiling, 0))(rng_));
}

Result<HttpResponse> S3Client::attempt(const Call& call) {
  SignableRequest signable;
  signable.method = call.method;
  signable.path = path_of(call.key);
  signable.query = call.query;
  signable.headers = call.headers;
  signable.headers.emplace_back("Host", host_header());
  signable.payload_hash = call.body.empty() ? empty_sha256() : sha256_hex_of(call.body);
  signable.headers.emplace_back("X-Amz-Content-Sha256", signable.payload_hash);
  signer_.sign(signable, now_unix());

  HttpRequest request;
  request.method = call.method;
  request.url = url_of(uri_encode(signable.path, true), call.query);
  request.headers = std::move(signable.headers);
  request.body = call.body;
  request.sink = call.sink;
  slots_.acquire();
  auto response = http_.perform(request);
  slots_.release();
  return response;
}

Result<HttpResponse> S3Client::execute(const Call& call, std::initializer_list<long> accept) {
  const std::string what = describe(call.method, call.key);
  Status last;
  for (int i = 0; i < std::max(options_.max_attempts, 1); ++i) {
    if (i > 0) std::this_thread::sleep_for(backoff(i - 1));
    auto response = attempt(call);
    if (!response.is_ok()) {
      // No response at all (refused, reset, timed out): worth another attempt.
      if (response.status().code() != Errc::kUnavailable) {
        return Status(response.status().code(), what + response.status().message());
      }
      last = Status(Errc::kUnavailable,
                    what + "the service is unreachable (" + response.status().message() + ")");
      continue;
    }
    const long status = response->status;
    if ((status >= 200 && status < 300) ||
        std::find(accept.begin(), accept.end(), status) != accept.end()) {
      return response;
    }
    ErrorDocument error = parse_error_document(response->body_text());
    last = status_for(what, status, error);
    if (!retryable(status, error.code)) return last;
  }
  return last;
}

Status S3Client::put_object(const std::string& key, std::span<const std::byte> body) {
  Call call{"PUT", key};
  call.headers.emplace_back("Content-MD5", base64_md5(body));
  call.headers.emplace_back("Content-Type", "application/octet-stream");
  call.body = body;
  auto response = execute(call);
  COFFER_RETURN_IF_ERROR(response);
  return Status::ok();
}

Result<std::vector<std::byte>> S3Client::get_object(const std::string& key) {
  auto response = execute(Call{"GET", key});
  COFFER_RETURN_IF_ERROR(response);
  return std::move(response->body);
}

Result<size_t> S3Client::get_range(const std::string& key, uint64_t offset,
                                   std::span<std::byte> out) {
  if (out.empty()) return size_t{0};
  Call call{"GET", key};
  call.headers.emplace_back(
      "Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + out.size() - 1));
  call.sink = out;
  auto response = execute(call, {416});
  COFFER_RETURN_IF_ERROR(response);
  if (response->status == 416) return size_t{0};  // the offset is at or past the end
  if (response->status != 206 && !(response->status == 200 && offset == 0)) {
    return Status(Errc::kIoError, describe("GET", key) + "the service ignored the Range header");
  }
  return response->sink_bytes;
}

Result<std::optional<ObjectHead>> S3Client::head_object(const std::string& key) {
  auto response = execute(Call{"HEAD", key}, {404});
  COFFER_RETURN_IF_ERROR(response);
  if (response->status == 404) return std::optional<ObjectHead>();
  ObjectHead head;
  std::string_view length = response->header("content-length");
  head.size = std::strtoull(std::string(length).c_str(), nullptr, 10);
  auto modified = parse_http_date(response->header("last-modified"));
  if (!modified) {
    return Status(Errc::kIoError, describe("HEAD", key) + "no valid Last-Modified header");
  }
  head.last_modified_unix = *modified;
  return std::optional<ObjectHead>(head);
}

Status S3Client::delete_object(const std::string& key) {
  auto response = execute(Call{"DELETE", key}, {404});
  COFFER_RETURN_IF_ERROR(response);
  return Status::ok();
}

Result<ListPage> S3Client::list_objects(const std::string& prefix, const std::string& continuation,
                                        int max_keys) {
  Call call{"GET", ""};
  call.query = {{"list-type", "2"}, {"prefix", prefix}, {"max-keys", std::to_string(max_keys)}};
  if (!continuation.empty()) call.query.emplace_back("continuation-token", continuation);
  auto response = execute(call);
  COFFER_RETURN_IF_ERROR(response);
  auto page = parse_list_page(response->body_text());
  if (!page.is_ok())
    return Status(page.status().code(), describe("LIST", prefix) + page.status().message());
  return page;
}

Status S3Client::head_bucket() {
  auto response = execute(Call{"HEAD", ""}, {404});
  COFFER_RETURN_IF_ERROR(response);
  if (response->status == 404) {
    return Status(Errc::kUnavailable, describe("HEAD", "") + "the bucket does not exist");
  }
  return Status::ok();
}

std::string S3Client::presign_get(const std::string& key, int64_t expires_seconds) const {
  SignableRequest signable;
  signable.method = "GET";
  signable.path = path_of(key);
  signable.headers.emplace_back("Host", host_header());
  signer_.presign(signable, now_unix(), expires_seconds);
  return url_of(uri_encode(signable.path, true), signable.query);
}

}  // namespace coffer::s3
