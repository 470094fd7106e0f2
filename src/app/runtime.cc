#include "app/runtime.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "app/storage.h"
#include "auth/token_signer.h"

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
  auto catalog = meta::open_sqlite_catalog(config.database_path());
  COFFER_RETURN_IF_ERROR(catalog);
  rt->catalog = std::move(*catalog);
  auto chunks = open_chunk_store(config.storage_url, config);
  COFFER_RETURN_IF_ERROR(chunks);
  rt->chunks = std::move(*chunks);
  auto signer = auth::TokenSigner::from_key_file(config.token_key_path(), config.token_ttl_seconds);
  COFFER_RETURN_IF_ERROR(signer);
  rt->files = std::make_unique<service::FileService>(*rt->catalog, *rt->chunks, rt->inflight);
  rt->auth = std::make_unique<service::AuthService>(*rt->catalog, std::move(*signer));
  return rt;
}

}  // namespace coffer::app
