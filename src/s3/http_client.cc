#include "s3/http_client.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace coffer::s3 {
namespace {

// More idle handles than this are closed rather than kept.
constexpr size_t kMaxIdleHandles = 64;

void global_init() {
  static const bool done = [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) std::abort();
    return true;
  }();
  (void)done;
}

struct Transfer {
  const HttpRequest* request;
  HttpResponse* response;
  size_t max_body;
  CURL* curl;
  bool too_large = false;
  bool status_known = false;
  bool to_sink = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  // A new status line (after a 100 Continue or a redirect) starts a new header block.
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  if (name == "content-length" && t->request->sink.empty() && t->request->method != "HEAD") {
    // One allocation for the body rather than a doubling series (chunks are megabytes).
    const uint64_t length = std::strtoull(std::string(value).c_str(), nullptr, 10);
    if (length <= t->max_body) t->response->body.reserve(static_cast<size_t>(length));
  }
  t->response->headers.emplace_back(std::move(name), std::string(value));
  return n;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (!t->status_known) {
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    t->to_sink = !t->request->sink.empty() && status >= 200 && status < 300;
    t->status_known = true;
  }
  if (t->to_sink) {
    auto& written = t->response->sink_bytes;
    if (n > t->request->sink.size() - written) {
      t->too_large = true;
      return 0;  // aborts the transfer
    }
    std::memcpy(t->request->sink.data() + written, data, n);
    written += n;
    return n;
  }
  auto& body = t->response->body;
  if (n > t->max_body - body.size()) {
    t->too_large = true;
    return 0;
  }
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  body.insert(body.end(), bytes, bytes + n);
  return n;
}

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  Handle() : curl(curl_easy_init()) {
    if (curl == nullptr) std::abort();
  }
  ~Handle() { curl_easy_cleanup(curl); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

std::string_view HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

HttpClient::HttpClient(HttpClientOptions options) : options_(options) { global_init(); }

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Handle> HttpClient::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  return std::make_unique<Handle>();
}

void HttpClient::release(std::unique_ptr<Handle> handle) {
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
}

Result<HttpResponse> HttpClient::perform(const HttpRequest& request) {
  auto handle = acquire();
  CURL* curl = handle->curl;
  // Resets the options but keeps the handle's live connections and DNS cache.
  curl_easy_reset(curl);

  HttpResponse response;
  Transfer transfer{&request, &response, options_.max_body_bytes, curl};
  handle->error[0] = '\0';
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, handle->error);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(options_.request_timeout.count() * 1000));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);

  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    // A POST whose method is renamed sends the body from memory without a copy; it also
    // sends an empty body with Content-Length: 0, which S3 wants for PUT and POST.
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
                     request.body.empty() ? static_cast<const void*>("") : request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  // No "Expect: 100-continue" round trip, and no Content-Type that curl makes up for a POST.
  headers = curl_slist_append(headers, "Expect:");
  if (request.method != "GET" && request.method != "HEAD") {
    bool has_type = std::any_of(request.headers.begin(), request.headers.end(), [](const Field& f) {
      return strcasecmp(f.first.c_str(), "content-type") == 0;
    });
    if (!has_type) headers = curl_slist_append(headers, "Content-Type:");
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  if (rc != CURLE_OK) {
    if (transfer.too_large) {
      release(std::move(handle));
      return Status(Errc::kIoError, request.method + " response body is larger than expected");
    }
    std::string why = handle->error[0] != '\0' ? handle->error : curl_easy_strerror(rc);
    // A failed connection is not reused.
    return Status(Errc::kUnavailable, "no response: " + why);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  release(std::move(handle));
  return response;
}

}  // namespace coffer::s3
