#pragma once
// What every S3 answer is made of: XML documents in S3's namespace, errors in S3's XML error
// format, S3's timestamps and ETags.

#include <cstdint>
#include <string>
#include <string_view>

#include "api/exchange.h"
#include "core/model.h"
#include "core/status.h"
#include "s3api/s3_error.h"

namespace coffer::s3api {

inline constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

// <?xml ...?> followed by `body` (which holds the root element), as application/xml.
api::Response xml_response(int status, std::string body);

// <Error><Code/><Message/><Resource/><RequestId/></Error>. A HEAD answer has no body (the code
// goes into x-amz-error-code instead, as S3 does).
api::Response error_response(const S3Error& error, std::string_view method,
                             std::string_view resource, std::string_view request_id);

// The S3 error for a failed Status of the domain. `missing` is the code a kNotFound becomes
// (NoSuchKey, NoSuchBucket, NoSuchUpload).
S3Error s3_error_for(const Status& status, std::string_view missing = "NoSuchKey");

// "2009-10-12T17:50:30.000Z": S3's timestamps (milliseconds, UTC).
std::string iso8601_millis(Micros t);

// A file's ETag, quoted: the MD5 of its content where recorded (every version written through
// the S3 API), else "<the first 32 hex digits of its SHA-256>-1", which S3 clients read as a
// multipart ETag and so never compare with an MD5 of their own (docs/s3.md).
std::string etag_of(const Node& file);

// Whether an If-Match / If-None-Match style list names `etag` (quoted, as etag_of makes it;
// "*" names any; weak tags compare by their value).
bool etag_listed_in(std::string_view list, const std::string& etag);

// MD5 of nothing: the ETag of an empty object (a folder marker).
inline constexpr std::string_view kEmptyMd5 = "d41d8cd98f00b204e9800998ecf8427e";

// A key as listings write it with encoding-type=url: percent-encoded as a form value (a space
// is '+'), '/' kept, which is what S3 sends and SDKs decode.
std::string url_encode_key(std::string_view key);

// Appends <name>escaped text</name>.
void append_element(std::string& out, std::string_view name, std::string_view text);

}  // namespace coffer::s3api
