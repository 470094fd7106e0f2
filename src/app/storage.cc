#include "app/storage.h"

#include <cstdlib>

#include "s3/s3_chunk_store.h"
#include "s3/s3_url.h"
#include "store/local_chunk_store.h"

namespace coffer::app {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

Result<s3::Credentials> s3_credentials(const Config& config) {
  s3::Credentials credentials;
  if (!env("AWS_ACCESS_KEY_ID").empty()) {
    credentials = {env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"),
                   env("AWS_SESSION_TOKEN")};
  } else {
    credentials = {config.s3_access_key_id, config.s3_secret_access_key, ""};
  }
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status(Errc::kInvalidArgument,
                  "S3 storage needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                  "or s3_access_key_id and s3_secret_access_key in the configuration file");
  }
  return credentials;
}

}  // namespace

Result<std::unique_ptr<store::ChunkStore>> open_chunk_store(const std::string& url,
                                                            const Config& config) {
  if (url.empty() || url.starts_with("file://")) {
    std::string path = url.empty() ? config.chunks_path() : url.substr(7);
    if (path.empty() || path.front() != '/') {
      return Status(
          Errc::kInvalidArgument,
          "storage URL: a file URL needs an absolute path (file:///var/lib/coffer/chunks)");
    }
    store::LocalChunkStoreOptions options;
    options.volumes.index_readers = config.read_connections();
    auto local = store::LocalChunkStore::open(path, options);
    COFFER_RETURN_IF_ERROR(local);
    return std::unique_ptr<store::ChunkStore>(std::move(*local));
  }
  if (url.starts_with("s3://")) {
    auto location = s3::parse_s3_url(url);
    COFFER_RETURN_IF_ERROR(location);
    auto credentials = s3_credentials(config);
    COFFER_RETURN_IF_ERROR(credentials);
    location->options.credentials = std::move(*credentials);
    s3::S3ChunkStoreOptions options;
    options.prefix = location->prefix;
    // A deduplicated chunk is refreshed once it is older than a quarter of the grace
    // period, which leaves an upload three quarters of it to commit (docs/storage-format.md).
    options.refresh_after_seconds = config.gc_grace_seconds / 4;
    return std::unique_ptr<store::ChunkStore>(
        std::make_unique<s3::S3ChunkStore>(std::move(location->options), std::move(options)));
  }
  return Status(Errc::kInvalidArgument, "storage URL: the scheme must be file:// or s3://");
}

}  // namespace coffer::app
