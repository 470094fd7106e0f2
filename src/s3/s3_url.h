#pragma once
// Storage URLs that name an S3 location:
//
//   s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION&addressing=path|virtual]
//
// endpoint defaults to AWS (https://s3.REGION.amazonaws.com), region to us-east-1, and
// addressing to virtual-hosted for AWS and path-style for any other endpoint (MinIO, Ceph
// and most others serve path-style). Credentials never come from the URL.

#include <string>
#include <string_view>

#include "core/status.h"
#include "s3/s3_client.h"

namespace coffer::s3 {

struct S3Location {
  S3Options options;   // endpoint, bucket, region, addressing; no credentials
  std::string prefix;  // without leading or trailing '/'
};

// Errors: kInvalidArgument, with a message that says what is wrong.
Result<S3Location> parse_s3_url(std::string_view url);

}  // namespace coffer::s3
