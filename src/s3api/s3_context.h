#pragma once
// What the S3 API works with: the same file service every other protocol writes through (one
// write path: quotas, upload policy, versions, trash, activity and search apply alike), and
// the access keys that sign its requests.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/metrics.h"
#include "core/account.h"
#include "service/chunked_uploads.h"
#include "service/file_service.h"

namespace coffer::s3api {

// An active access key: the secret SigV4 signatures are made with, and who signs with it.
struct S3Identity {
  std::string secret_access_key;
  Principal principal;
};

// Finds an active key by its id; nullopt for an unknown or revoked key, or a disabled user.
using IdentityLookup = std::function<std::optional<S3Identity>(std::string_view access_key_id)>;

struct S3Options {
  // Virtual-hosted–style addressing: "<bucket>.<base_domain>" (empty: path-style only).
  std::string base_domain;
  // What GetBucketLocation answers; any region a client signs with is accepted.
  std::string region = "us-east-1";
};

struct S3Context {
  service::FileService& files;
  service::ChunkedUploads& uploads;  // multipart uploads are chunked uploads
  IdentityLookup find_identity;
  api::Metrics& metrics;
  S3Options options;
};

}  // namespace coffer::s3api
