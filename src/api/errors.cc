#include "api/errors.h"

#include <boost/json.hpp>

namespace coffer::api {

int http_status_for(Errc code) {
  switch (code) {
    case Errc::kOk:
      return 200;
    case Errc::kInvalidArgument:
    case Errc::kInvalidJson:
    case Errc::kInvalidName:
    case Errc::kChecksumMismatch:
    case Errc::kBadRequest:
    case Errc::kWeakPassword:
      return 400;
    case Errc::kUnauthenticated:
    case Errc::kInvalidCredentials:
    case Errc::kMfaRequired:
    case Errc::kLinkPasswordRequired:
      return 401;
    case Errc::kForbidden:
    case Errc::kCsrfRejected:
    case Errc::kSignatureInvalid:
      return 403;
    case Errc::kNotFound:
    case Errc::kThumbnailNotAvailable:
      return 404;
    case Errc::kMethodNotAllowed:
      return 405;
    case Errc::kRequestTimeout:
      return 408;
    case Errc::kStatusTransition:
    case Errc::kArchived:
    case Errc::kOffsetMismatch:
    case Errc::kNameConflict:
    case Errc::kConflict:
    case Errc::kAlreadyExists:
    case Errc::kLimitExceeded:
    case Errc::kRetentionActive:  // a state of the node, like kArchived; S3 says AccessDenied
    case Errc::kLegalHold:
      return 409;
    case Errc::kExpired:
      return 410;
    case Errc::kPreconditionFailed:
      return 412;
    case Errc::kPayloadTooLarge:
    case Errc::kFileTooLarge:
      return 413;
    case Errc::kUnsupportedMediaType:
    case Errc::kTypeNotAllowed:
      return 415;
    case Errc::kRangeNotSatisfiable:
      return 416;
    case Errc::kTooManyRequests:
      return 429;
    case Errc::kClientClosed:
      return 499;
    case Errc::kIoError:
    case Errc::kUnavailable:
      return 503;
    case Errc::kQuotaExceeded:
      return 507;  // Insufficient Storage (RFC 4918), as WebDAV clients expect
    case Errc::kCorruption:
    case Errc::kInternal:
      return 500;
  }
  return 500;
}

Response coded_response(std::string_view request_id, int http_status, std::string_view code,
                        std::string_view message) {
  boost::json::object error{{"code", code}, {"message", message}, {"request_id", request_id}};
  Response response;
  response.status = http_status;
  response.body = boost::json::serialize(boost::json::object{{"error", std::move(error)}});
  response.set_header("Content-Type", "application/json");
  response.set_header("Cache-Control", "no-store");
  return response;
}

Response error_response(std::string_view request_id, int http_status, Errc code,
                        std::string_view message) {
  Response response = coded_response(request_id, http_status, errc_name(code), message);
  if (code == Errc::kUnauthenticated) response.set_header("WWW-Authenticate", "Bearer");
  return response;
}

Response error_response(std::string_view request_id, const Status& status) {
  Response response =
      error_response(request_id, http_status_for(status.code()), status.code(), status.message());
  if (status.retry_after_seconds() > 0) {
    response.set_header("Retry-After", std::to_string(status.retry_after_seconds()));
  }
  return response;
}

}  // namespace coffer::api
