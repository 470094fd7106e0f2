// Bulk upload of the Nextcloud desktop clients (3.4 and later): POST /remote.php/dav/bulk with
// a multipart/related body, one part per small file, each part naming its file in
// X-File-Path (from the user's root) with its X-File-Mtime and X-File-MD5. Every part is
// checked as a PUT at that path would be (dav_uploads.h) and streamed into an upload batch as
// it arrives; the files are committed together at the end of the body (one chunk-store sync,
// one metadata transaction: service/upload_batch.h) before the answer. One failing part fails
// only itself. The answer is a JSON object with one entry per path:
//   {"/a.txt": {"error": false, "etag": "...", "OC-FileID": "...", ...},
//    "/b.txt": {"error": true, "message": "..."}}

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <charconv>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "api/dav_paths.h"
#include "api/dav_uploads.h"
#include "api/errors.h"
#include "api/http_headers.h"
#include "api/multipart.h"
#include "core/digest.h"
#include "core/hex.h"
#include "service/upload_batch.h"

namespace coffer::api {
namespace {

namespace json = boost::json;

// Passes a part's bytes through, and at its end fails the read (so the upload commits
// nothing) when their MD5 is not the one the client sent.
class Md5CheckedSource final : public ByteSource {
 public:
  Md5CheckedSource(ByteSource& inner, std::string expected_hex)
      : inner_(inner), expected_(std::move(expected_hex)) {}

  Result<size_t> read(std::span<std::byte> out) override {
    auto n = inner_.read(out);
    COFFER_RETURN_IF_ERROR(n);
    if (*n > 0) {
      md5_.update(out.first(*n));
      return n;
    }
    if (!checked_) {
      checked_ = true;
      if (md5_.finish_hex() != expected_) {
        return Status(Errc::kChecksumMismatch, "the file does not match X-File-MD5");
      }
    }
    return n;
  }

 private:
  ByteSource& inner_;
  const std::string expected_;
  Digest md5_{Digest::Kind::kMd5};
  bool checked_ = false;
};

// X-File-MD5 as the clients send it (32 hex digits, optionally after "MD5:"), lower-cased.
std::optional<std::string> md5_hex(std::string_view header) {
  header = trim_whitespace(header);
  if (header.size() > 4 && (header.substr(0, 4) == "MD5:" || header.substr(0, 4) == "md5:")) {
    header.remove_prefix(4);
  }
  std::string hex(header);
  for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (hex.size() != 32 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return std::nullopt;
  }
  return hex;
}

// The decoded segments of X-File-Path ("/a/b.txt", from the user's root). Errors:
// kInvalidArgument.
Result<std::vector<std::string>> file_path_segments(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view segment = path.substr(start, slash - start);
    if (segment == "." || segment == "..") {
      return Status(Errc::kInvalidArgument, "X-File-Path contains . or .. segments");
    }
    if (!segment.empty()) out.emplace_back(segment);
    start = slash + 1;
  }
  if (out.empty()) return Status(Errc::kInvalidArgument, "X-File-Path names no file");
  return out;
}

json::object failed(std::string message) {
  return json::object{{"error", true}, {"message", std::move(message)}};
}

// A committed part's entry, from the answer a PUT of it would have had.
json::object succeeded(const Response& response) {
  json::object out{{"error", false}};
  for (std::string_view name : {"ETag", "OC-ETag", "OC-FileId", "X-OC-MTime"}) {
    std::string_view value = find_header(response.headers, name);
    if (!value.empty()) out[name] = value;
  }
  // The names the clients read (OC-FileID) and those Nextcloud's server writes.
  if (const json::value* id = out.if_contains("OC-FileId")) {
    out["OC-FileID"] = *id;
    out["fileid"] = *id;
  }
  if (const json::value* etag = out.if_contains("ETag")) out["etag"] = *etag;
  return out;
}

// The message of an error response (fail() writes {"error": {"message": ...}}).
std::string error_message(const Response& response) {
  json::error_code ec;
  json::value body = json::parse(response.body, ec);
  if (!ec && body.is_object()) {
    if (const json::value* error = body.as_object().if_contains("error");
        error && error->is_object()) {
      if (const json::value* message = error->as_object().if_contains("message");
          message && message->is_string()) {
        return std::string(message->as_string());
      }
    }
  }
  return "HTTP " + std::to_string(response.status);
}

// The parts of one request, each prepared as a PUT at its path would be and added to one
// upload batch as its bytes arrive; committed together at the end (or earlier: see add).
class BulkUpload {
 public:
  BulkUpload(ApiContext& ctx, Request& request, const DavPrepareAt& prepare)
      : request_(request), prepare_(prepare), batch_(ctx.files) {}

  // Reads one part (`reader` is at its content) into the batch, or records why it fails.
  void add(const MultipartReader::Part& part, MultipartReader& reader) {
    std::string path(part.header("x-file-path"));
    // A path sent twice is two PUTs one after the other: the second must see the first.
    if (pending_paths_.contains(path)) commit();
    // Entries keep the order of the parts.
    results_[path] = nullptr;
    auto prepared = prepare(part);
    if (auto* refused = std::get_if<json::object>(&prepared)) {
      results_[path] = std::move(*refused);
      return;
    }
    DavPreparedPut& put = std::get<DavPreparedPut>(prepared);
    std::unique_ptr<Md5CheckedSource> checked;
    ByteSource* body = &reader;
    if (std::string_view md5 = part.header("x-file-md5"); !md5.empty()) {
      auto hex = md5_hex(md5);
      if (!hex) {
        results_[path] = failed("X-File-MD5 must be 32 hex digits");
        return;
      }
      checked = std::make_unique<Md5CheckedSource>(reader, std::move(*hex));
      body = checked.get();
    }
    put.upload.body = body;
    Status staged = batch_.add(put.upload);
    put.upload.body = nullptr;
    if (!staged.is_ok()) {
      results_[path] = failed(staged.message());
      return;
    }
    pending_paths_.insert(path);
    pending_.push_back({std::move(path), std::move(put)});
    if (batch_.full()) commit();
  }

  // Commits what was added and records each part's result.
  void commit() {
    std::vector<Result<Node>> nodes = batch_.commit();
    for (size_t i = 0; i < pending_.size(); ++i) {
      results_[pending_[i].path] = nodes[i].is_ok()
                                       ? succeeded(dav_put_response(pending_[i].put, *nodes[i]))
                                       : failed(nodes[i].status().message());
    }
    pending_.clear();
    pending_paths_.clear();
  }

  json::object& results() { return results_; }

 private:
  struct Pending {
    std::string path;
    DavPreparedPut put;
  };

  // The part's PUT as prepared at its path with its own conditions and metadata, or its
  // failed entry.
  std::variant<DavPreparedPut, json::object> prepare(const MultipartReader::Part& part) {
    auto segments = file_path_segments(part.header("x-file-path"));
    if (!segments.is_ok()) return failed(segments.status().message());
    std::string_view length_header = trim_whitespace(part.header("content-length"));
    uint64_t size = 0;
    const auto [end, ec] =
        std::from_chars(length_header.data(), length_header.data() + length_header.size(), size);
    if (length_header.empty() || ec != std::errc() ||
        end != length_header.data() + length_header.size()) {
      return failed("each part needs its Content-Length");
    }
    // The part's own conditions and metadata, under the names a PUT has them.
    Request one;
    one.method = "PUT";
    one.target = dav_href(kDavPrefix, *segments, false);
    one.remote_address = request_.remote_address;
    one.request_id = request_.request_id;
    one.route = request_.route;
    one.user_id = request_.user_id;
    one.principal = request_.principal;
    one.body = request_.body;  // unused: the part is the body
    const std::string_view mtime = part.header("x-file-mtime");
    if (!mtime.empty()) one.headers.push_back({"X-OC-Mtime", std::string(mtime)});
    for (std::string_view name : {"if-match", "if-none-match", "oc-checksum"}) {
      if (std::string_view value = part.header(name); !value.empty()) {
        one.headers.push_back({std::string(name), std::string(value)});
      }
    }
    auto prepared = prepare_(one, one.target, size);
    if (auto* refused = std::get_if<Response>(&prepared)) return failed(error_message(*refused));
    return std::move(std::get<DavPreparedPut>(prepared));
  }

  Request& request_;
  const DavPrepareAt& prepare_;
  service::FileService::Batch batch_;
  std::vector<Pending> pending_;  // added to batch_, in order
  std::set<std::string> pending_paths_;
  json::object results_;
};

}  // namespace

Response serve_bulk_upload(ApiContext& ctx, Request& request, const DavPrepareAt& prepare) {
  if (request.method != "POST") {
    Response response = fail(request, Status(Errc::kMethodNotAllowed, "bulk uploads are POSTed"));
    response.set_header("Allow", "OPTIONS, POST");
    return response;
  }
  auto boundary = multipart_boundary(request.header("Content-Type"), "related");
  if (!boundary) {
    return fail(request, Status(Errc::kUnsupportedMediaType,
                                "the body must be multipart/related with a boundary"));
  }
  MultipartReader reader(*request.body, *boundary);
  BulkUpload upload(ctx, request, prepare);
  for (;;) {
    auto part = reader.next_part();
    // Nothing added is committed: the request fails as a whole.
    if (!part.is_ok()) return fail(request, part.status());
    if (!*part) break;
    if (part->value().header("x-file-path").empty()) {
      return fail(request, Status(Errc::kInvalidArgument, "a part has no X-File-Path"));
    }
    upload.add(**part, reader);
  }
  // What follows the closing delimiter (its CRLF, an epilogue) is read too: a body left
  // unread would cost the connection, on which the clients send their next batch.
  std::byte sink[4096];
  for (size_t drained = 0;;) {
    auto n = request.body->read(sink);
    if (!n.is_ok()) return fail(request, n.status());
    if (*n == 0) break;
    drained += *n;
    if (drained > 64 * 1024) {
      return fail(request, Status(Errc::kInvalidArgument, "too much after the last part"));
    }
  }
  upload.commit();
  Response response;
  response.body = json::serialize(upload.results());
  response.set_header("Content-Type", "application/json");
  response.set_header("Cache-Control", "no-store");
  return response;
}

}  // namespace coffer::api
