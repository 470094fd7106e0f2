#include "s3api/s3_response.h"

#include <ctime>

#include "dav/xml_writer.h"
#include "s3/sigv4.h"

namespace coffer::s3api {

api::Response xml_response(int status, std::string body) {
  api::Response response;
  response.status = status;
  response.body = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  response.body += '\n';
  response.body += body;
  response.set_header("Content-Type", "application/xml");
  return response;
}

void append_element(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  dav::append_xml_escaped(out, text);
  out += "</";
  out += name;
  out += '>';
}

api::Response error_response(const S3Error& error, std::string_view method,
                             std::string_view resource, std::string_view request_id) {
  std::string body = "<Error>";
  append_element(body, "Code", error.code);
  append_element(body, "Message", error.message);
  append_element(body, "Resource", resource);
  append_element(body, "RequestId", request_id);
  body += "</Error>";
  api::Response response = xml_response(error.http_status, std::move(body));
  if (method == "HEAD") {
    response.content_length = response.body.size();
    response.body.clear();
    response.set_header("x-amz-error-code", error.code);
  }
  return response;
}

S3Error s3_error_for(const Status& status, std::string_view missing) {
  const std::string message(status.message());
  switch (status.code()) {
    case Errc::kNotFound:
      return {404, std::string(missing), message};
    case Errc::kInvalidName:
    case Errc::kInvalidArgument:
    case Errc::kInvalidJson:
      return {400, "InvalidArgument", message};
    case Errc::kNameConflict:
    case Errc::kConflict:
    case Errc::kAlreadyExists:
      return {409, "OperationAborted", message};
    case Errc::kFileTooLarge:
    case Errc::kPayloadTooLarge:
      return {400, "EntityTooLarge", message};
    case Errc::kQuotaExceeded:
      return {403, "QuotaExceeded", message};
    case Errc::kChecksumMismatch:
      return {400, "BadDigest", message};
    case Errc::kRequestTimeout:
      return {400, "RequestTimeout", message};
    case Errc::kClientClosed:
    case Errc::kBadRequest:
      return {400, "IncompleteBody", message};
    case Errc::kPreconditionFailed:
      return {412, "PreconditionFailed", message};
    case Errc::kRangeNotSatisfiable:
      return {416, "InvalidRange", message};
    case Errc::kForbidden:
    case Errc::kArchived:
    case Errc::kRetentionActive:  // as S3 Object Lock refuses a locked object
    case Errc::kLegalHold:
    case Errc::kTypeNotAllowed:
    case Errc::kUnauthenticated:
      return {403, "AccessDenied", message};
    case Errc::kTooManyRequests:
      return {503, "SlowDown", message};
    case Errc::kUnavailable:
      return {503, "ServiceUnavailable", message};
    default:
      // Storage failures and the unexpected: no detail for the client, the log has it.
      return {500, "InternalError", "We encountered an internal error. Please try again."};
  }
}

std::string url_encode_key(std::string_view key) {
  std::string out;
  for (std::string_view rest = key; !rest.empty();) {
    size_t space = rest.find(' ');
    out += s3::uri_encode(rest.substr(0, space), /*keep_slash=*/true);
    if (space == std::string_view::npos) break;
    out += '+';
    rest.remove_prefix(space + 1);
  }
  return out;
}

std::string iso8601_millis(Micros t) {
  const time_t seconds = static_cast<time_t>(t / 1'000'000);
  const int millis = static_cast<int>((t % 1'000'000) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string etag_of(const Node& file) {
  if (file.kind == NodeKind::kFolder) return "\"" + std::string(kEmptyMd5) + "\"";
  if (!file.md5.empty()) return "\"" + file.md5 + "\"";
  return "\"" + file.sha256.substr(0, 32) + "-1\"";
}

bool etag_listed_in(std::string_view list, const std::string& etag) {
  std::string_view bare = std::string_view(etag).substr(1, etag.size() - 2);
  size_t pos = 0;
  while (pos < list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag || item == bare) return true;
    pos = comma + 1;
  }
  return false;
}

}  // namespace coffer::s3api
