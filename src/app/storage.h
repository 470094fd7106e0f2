#pragma once
// Opens the chunk store that a storage URL names:
//   (empty)                     <data>/chunks on local disk, the default
//   file:///ABSOLUTE/PATH       a LocalChunkStore rooted there
//   s3://BUCKET/PREFIX?...      an S3ChunkStore (src/s3/s3_url.h for the parameters), with
//                               credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
//                               (/ AWS_SESSION_TOKEN) or else the configuration file

#include <memory>
#include <string>

#include "app/config.h"
#include "core/status.h"
#include "store/chunk_store.h"

namespace coffer::app {

// Errors: kInvalidArgument (a malformed URL, missing credentials), kIoError (a local
// directory that cannot be created).
Result<std::unique_ptr<store::ChunkStore>> open_chunk_store(const std::string& url,
                                                            const Config& config);

}  // namespace coffer::app
