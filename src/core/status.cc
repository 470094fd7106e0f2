#include "core/status.h"

namespace coffer {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::kOk:
      return "OK";
    case Errc::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case Errc::kInvalidJson:
      return "INVALID_JSON";
    case Errc::kInvalidName:
      return "INVALID_NAME";
    case Errc::kNotFound:
      return "NOT_FOUND";
    case Errc::kNameConflict:
      return "NAME_CONFLICT";
    case Errc::kConflict:
      return "CONFLICT";
    case Errc::kUnauthenticated:
      return "UNAUTHENTICATED";
    case Errc::kInvalidCredentials:
      return "INVALID_CREDENTIALS";
    case Errc::kForbidden:
      return "FORBIDDEN";
    case Errc::kPayloadTooLarge:
      return "PAYLOAD_TOO_LARGE";
    case Errc::kRangeNotSatisfiable:
      return "RANGE_NOT_SATISFIABLE";
    case Errc::kPreconditionFailed:
      return "PRECONDITION_FAILED";
    case Errc::kChecksumMismatch:
      return "CHECKSUM_MISMATCH";
    case Errc::kMethodNotAllowed:
      return "METHOD_NOT_ALLOWED";
    case Errc::kUnsupportedMediaType:
      return "UNSUPPORTED_MEDIA_TYPE";
    case Errc::kBadRequest:
      return "BAD_REQUEST";
    case Errc::kRequestTimeout:
      return "REQUEST_TIMEOUT";
    case Errc::kClientClosed:
      return "CLIENT_CLOSED";
    case Errc::kIoError:
      return "IO_ERROR";
    case Errc::kCorruption:
      return "CORRUPTION";
    case Errc::kUnavailable:
      return "UNAVAILABLE";
    case Errc::kInternal:
      return "INTERNAL";
    case Errc::kAlreadyExists:
      return "ALREADY_EXISTS";
    case Errc::kTooManyRequests:
      return "TOO_MANY_REQUESTS";
    case Errc::kMfaRequired:
      return "MFA_REQUIRED";
    case Errc::kWeakPassword:
      return "WEAK_PASSWORD";
    case Errc::kCsrfRejected:
      return "CSRF_REJECTED";
    case Errc::kQuotaExceeded:
      return "QUOTA_EXCEEDED";
    case Errc::kSignatureInvalid:
      return "SIGNATURE_INVALID";
    case Errc::kExpired:
      return "EXPIRED";
    case Errc::kStatusTransition:
      return "STATUS_TRANSITION_FORBIDDEN";
    case Errc::kArchived:
      return "ARCHIVED";
    case Errc::kLinkPasswordRequired:
      return "LINK_PASSWORD_REQUIRED";
    case Errc::kOffsetMismatch:
      return "OFFSET_MISMATCH";
    case Errc::kTypeNotAllowed:
      return "TYPE_NOT_ALLOWED";
    case Errc::kFileTooLarge:
      return "FILE_TOO_LARGE";
    case Errc::kThumbnailNotAvailable:
      return "THUMBNAIL_NOT_AVAILABLE";
    case Errc::kLimitExceeded:
      return "LIMIT_EXCEEDED";
    case Errc::kRetentionActive:
      return "RETENTION_ACTIVE";
    case Errc::kLegalHold:
      return "LEGAL_HOLD";
  }
  return "INTERNAL";
}

std::string Status::to_string() const {
  if (is_ok()) return "OK";
  std::string out(errc_name(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace coffer
