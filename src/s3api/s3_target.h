#pragma once
// Where an S3 request points: the bucket and the object key, from the path ("/bucket/key",
// path-style addressing) or from the Host ("bucket.s3.example.com", virtual-hosted style, when
// a base domain is configured), and the query parameters, decoded.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/exchange.h"

namespace coffer::s3api {

struct S3Target {
  std::string bucket;  // "" for the service (ListBuckets)
  std::string key;     // "" for the bucket itself; decoded, '/' kept, never re-normalised
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order

  bool has(std::string_view name) const;
  // The value of the first parameter `name`; nullopt when absent.
  std::optional<std::string> param(std::string_view name) const;
};

// Parses `request`'s target. `base_domain` ("s3.example.com", empty: path-style only) makes a
// Host of "<bucket>.<base_domain>" name the bucket. Nullopt when the target is malformed.
std::optional<S3Target> parse_target(const api::Request& request, std::string_view base_domain);

}  // namespace coffer::s3api
