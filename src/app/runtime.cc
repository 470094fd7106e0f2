#include "app/runtime.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "api/log.h"
#include "app/storage.h"
#include "auth/key_file.h"
#include "auth/secret_box.h"
#include "auth/token_signer.h"
#include "auth/url_signer.h"

namespace coffer::app {
namespace {

Status make_dir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return Status::ok();
  return Status(Errc::kIoError, "cannot create " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<Runtime>> open_runtime(const Config& config) {
  auto rt = std::make_unique<Runtime>();
  rt->config = config;
  COFFER_RETURN_IF_ERROR(make_dir(config.data_dir, 0700));
  COFFER_RETURN_IF_ERROR(make_dir(config.data_dir + "/secrets", 0700));
  if (config.database_url.empty() && !config.migration_database_url.empty()) {
    return Status(Errc::kInvalidArgument, "a migration database URL needs a database URL");
  }
  auto catalog =
      config.database_url.empty()
          ? meta::open_sqlite_catalog(config.database_path())
          : meta::open_postgres_catalog(config.database_url, config.migration_database_url);
  COFFER_RETURN_IF_ERROR(catalog);
  rt->catalog = std::move(*catalog);
  rt->catalog->set_default_quota_bytes(config.default_quota_bytes);
  rt->catalog->set_keep_versions(config.keep_versions);
  auto chunks = open_chunk_store(config.storage_url, config);
  COFFER_RETURN_IF_ERROR(chunks);
  rt->chunks = std::move(*chunks);
  auto master_key = config.secret_key_file.empty()
                        ? auth::load_or_create_key(config.default_key_path())
                        : auth::load_key(config.secret_key_file);
  COFFER_RETURN_IF_ERROR(master_key);
  rt->leases = std::make_unique<store::GcLeases>(*rt->chunks);
  rt->files =
      std::make_unique<service::FileService>(*rt->catalog, *rt->chunks, rt->inflight, *rt->leases);
  service::AuthOptions auth_options;
  auth_options.refresh_ttl_seconds = config.refresh_ttl_seconds;
  rt->url_signer = std::make_unique<auth::UrlSigner>(*master_key);
  rt->auth = std::make_unique<service::AuthService>(
      *rt->catalog, auth::TokenSigner::from_master_key(*master_key, config.token_ttl_seconds),
      auth::SecretBox(*master_key, "cofferMF"), auth_options);
  rt->admin = std::make_unique<service::AdminService>(*rt->catalog, *rt->auth);
  service::SearchOptions search_options;
  search_options.limits.max_text_bytes = static_cast<size_t>(config.search_text_bytes);
  rt->search = std::make_unique<service::SearchService>(*rt->catalog, *rt->files, search_options);
  // TEMPORARY, until the job queue (branch `media`) runs `text` jobs: extract a file's text
  // right after its upload commits, on the uploading thread. A failure leaves the file
  // searchable by name, path, tags and metadata; the upload itself has succeeded.
  rt->files->set_after_commit([search = rt->search.get()](const Node& node) {
    Status s = search->index_file_content(node.owner_id, node.id);
    if (!s.is_ok()) {
      api::log_event(
          api::LogLevel::kWarn,
          {{"msg", "text extraction failed"}, {"node_id", node.id}, {"error", s.to_string()}});
    }
  });
  return rt;
}

}  // namespace coffer::app
