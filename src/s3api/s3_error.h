#pragma once
// An error of the S3 API as S3 clients expect it: the HTTP status with S3's error code
// ("NoSuchKey", "SignatureDoesNotMatch", ...) and a message, answered in S3's XML error
// format (s3_response.h).

#include <string>

namespace coffer::s3api {

struct S3Error {
  int http_status = 500;
  std::string code;     // S3's code, e.g. "AccessDenied"
  std::string message;  // for people; never holds a secret or a signature
};

}  // namespace coffer::s3api
