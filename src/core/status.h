#pragma once
// Errors as values. Every layer below the API returns Status or Result<T>; the API maps an
// Errc to an HTTP status and a stable, documented error code (docs/errors.md).

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace coffer {

// Stable error conditions. Append only: the names are part of the public API.
enum class Errc {
  kOk = 0,
  kInvalidArgument,       // INVALID_ARGUMENT: a malformed parameter or body
  kInvalidJson,           // INVALID_JSON
  kInvalidName,           // INVALID_NAME: a file or folder name breaks the name rules
  kNotFound,              // NOT_FOUND
  kNameConflict,          // NAME_CONFLICT: the name is taken in that folder
  kConflict,              // CONFLICT: the operation contradicts the tree (e.g. move into itself)
  kUnauthenticated,       // UNAUTHENTICATED: missing, malformed, forged or expired credentials
  kInvalidCredentials,    // INVALID_CREDENTIALS: wrong username or password
  kForbidden,             // FORBIDDEN
  kPayloadTooLarge,       // PAYLOAD_TOO_LARGE
  kRangeNotSatisfiable,   // RANGE_NOT_SATISFIABLE
  kPreconditionFailed,    // PRECONDITION_FAILED
  kChecksumMismatch,      // CHECKSUM_MISMATCH: the body does not match the declared digest
  kMethodNotAllowed,      // METHOD_NOT_ALLOWED
  kUnsupportedMediaType,  // UNSUPPORTED_MEDIA_TYPE
  kBadRequest,            // BAD_REQUEST: malformed HTTP framing or headers
  kRequestTimeout,        // REQUEST_TIMEOUT
  kClientClosed,          // the client went away mid-request (never sent; logged as 499)
  kIoError,               // IO_ERROR: storage failed (disk, fsync); the operation did not happen
  kCorruption,            // CORRUPTION: stored data failed verification
  kUnavailable,           // UNAVAILABLE: a dependency is down or the server is shutting down
  kInternal,              // INTERNAL
  kAlreadyExists,         // ALREADY_EXISTS (e.g. a username)
  kTooManyRequests,       // TOO_MANY_REQUESTS: slow down; Status::retry_after_seconds() says when
  kMfaRequired,           // MFA_REQUIRED: the password was right; a TOTP or recovery code is needed
  kWeakPassword,          // WEAK_PASSWORD: too short, too long or a commonly used password
  kCsrfRejected,          // CSRF_REJECTED: a cookie-authenticated request without its CSRF token
  kQuotaExceeded,         // QUOTA_EXCEEDED: the user's storage quota cannot take this
  kSignatureInvalid,      // SIGNATURE_INVALID: a signed URL that is malformed or not ours
  kExpired,               // EXPIRED: a signed URL past its expiry
  kStatusTransition,      // STATUS_TRANSITION_FORBIDDEN: that document status change is not allowed
  kArchived,              // ARCHIVED: the node is archived (read-only); make it active first
  kLinkPasswordRequired,  // LINK_PASSWORD_REQUIRED: the share link has a password; unlock it
  kOffsetMismatch,  // OFFSET_MISMATCH: a resumable upload is not at the offset the client sent
  kTypeNotAllowed,  // TYPE_NOT_ALLOWED: the upload policy refuses the content's type
  kFileTooLarge,    // FILE_TOO_LARGE: the upload policy's size limit for the type
  kThumbnailNotAvailable,  // THUMBNAIL_NOT_AVAILABLE: none exists and none is being made
  kLimitExceeded,          // LIMIT_EXCEEDED: the caller holds as many of these as one may
  kRetentionActive,  // RETENTION_ACTIVE: inside a folder under retention (WORM) until its date
  kLegalHold,        // LEGAL_HOLD: under a legal hold until an administrator releases it
};

// The stable upper-case code for an Errc, e.g. "NAME_CONFLICT".
std::string_view errc_name(Errc code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Errc code, std::string message) : code_(code), message_(std::move(message)) {}
  // kTooManyRequests with the number of seconds after which a retry may succeed.
  static Status too_many_requests(std::string message, int64_t retry_after_seconds) {
    Status s(Errc::kTooManyRequests, std::move(message));
    s.retry_after_ = retry_after_seconds;
    return s;
  }

  static Status ok() { return {}; }
  bool is_ok() const { return code_ == Errc::kOk; }
  explicit operator bool() const { return is_ok(); }
  Errc code() const { return code_; }
  const std::string& message() const { return message_; }
  // Seconds until a retry may succeed (kTooManyRequests); 0 when unknown.
  int64_t retry_after_seconds() const { return retry_after_; }
  // "NOT_FOUND: no such file"
  std::string to_string() const;

 private:
  Errc code_ = Errc::kOk;
  std::string message_;
  int64_t retry_after_ = 0;
};

// A value or the Status that explains its absence. Small on purpose: std::expected is C++23.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).is_ok());
  }

  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<1>(v_);
  }

 private:
  std::variant<T, Status> v_;
};

inline const Status& status_of(const Status& s) { return s; }
template <typename T>
const Status& status_of(const Result<T>& r) {
  return r.status();
}

// Propagates a failed Status or Result to the caller.
#define COFFER_RETURN_IF_ERROR(expr)                                         \
  do {                                                                       \
    auto&& coffer_status_ = (expr);                                          \
    if (!coffer_status_.is_ok()) return ::coffer::status_of(coffer_status_); \
  } while (0)

}  // namespace coffer
