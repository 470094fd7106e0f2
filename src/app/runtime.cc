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
#include "media/thumbnailer.h"
#include "meta/sqlite_database.h"
#include "service/text_job.h"
#include "service/thumbnail_job.h"

namespace coffer::app {
namespace {

Status make_dir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return Status::ok();
  return Status(Errc::kIoError, "cannot create " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<Runtime>> open_runtime(const Config& config,
                                              JobFailureLogger job_failure_logger) {
  auto rt = std::make_unique<Runtime>();
  rt->config = config;
  COFFER_RETURN_IF_ERROR(make_dir(config.data_dir, 0700));
  COFFER_RETURN_IF_ERROR(make_dir(config.data_dir + "/secrets", 0700));
  if (config.database_url.empty() && !config.migration_database_url.empty()) {
    return Status(Errc::kInvalidArgument, "a migration database URL needs a database URL");
  }
  meta::set_sqlite_memory_limit(config.sqlite_memory_mib * 1024 * 1024);
  auto catalog =
      config.database_url.empty()
          ? meta::open_sqlite_catalog(config.database_path(), config.read_connections())
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
  rt->activity = std::make_unique<service::ActivityLog>(
      *rt->catalog, [](const Status& error, size_t events_lost) {
        api::log_event(api::LogLevel::kError, {{"msg", "activity not recorded"},
                                               {"events", static_cast<int64_t>(events_lost)},
                                               {"error", error.to_string()}});
      });
  // With PostgreSQL, other nodes change things too, and only polling the database tells.
  constexpr auto kClusterRecheck = std::chrono::seconds(2);
  rt->changes = std::make_unique<service::ChangeFeed>(
      *rt->catalog, *rt->activity, config.activity_retention_days * 86'400'000'000LL,
      config.database_url.empty() ? std::chrono::milliseconds::max()
                                  : std::chrono::milliseconds(kClusterRecheck));
  rt->files =
      std::make_unique<service::FileService>(*rt->catalog, *rt->chunks, rt->inflight, *rt->leases);
  rt->files->set_activity(rt->activity.get());
  rt->files->damaged_chunks().set_listener([](const service::DamagedChunks::Sighting& s) {
    api::log_event(api::LogLevel::kWarn, {{"msg", "damaged chunk not served"},
                                          {"chunk", s.chunk.hex()},
                                          {"file_id", s.file_id},
                                          {"version_id", s.version_id},
                                          {"error", s.error.message()}});
  });
  service::UploadOptions upload_options;
  upload_options.expiry_seconds = config.upload_expiry_seconds;
  if (config.max_upload_size > 0) {
    upload_options.max_file_size = static_cast<uint64_t>(config.max_upload_size);
  }
  upload_options.max_size = static_cast<uint64_t>(config.upload_max_size);
  rt->uploads = std::make_unique<service::UploadSessions>(
      *rt->catalog, *rt->files, *rt->chunks, rt->inflight, *rt->leases, upload_options);
  service::ChunkedUploadOptions chunked_options;
  chunked_options.idle_seconds = config.upload_expiry_seconds;
  chunked_options.max_size = static_cast<uint64_t>(config.upload_max_size);
  rt->chunked_uploads = std::make_unique<service::ChunkedUploads>(
      *rt->catalog, *rt->files, *rt->chunks, rt->inflight, *rt->leases, chunked_options);
  service::AuthOptions auth_options;
  auth_options.refresh_ttl_seconds = config.refresh_ttl_seconds;
  auth_options.refresh_grace_seconds = config.refresh_grace_seconds;
  auth_options.token_key_rotation = config.token_key_rotation_days * 86400 * kMicrosPerSecond;
  auth_options.auth_cache_max_age = static_cast<Micros>(config.auth_cache_seconds * 1e6);
  rt->url_signer = std::make_unique<auth::UrlSigner>(*master_key);
  rt->auth = std::make_unique<service::AuthService>(
      *rt->catalog, auth::TokenSigner(*master_key, config.token_ttl_seconds),
      auth::SecretBox(*master_key, "cofferMF"), auth_options);
  rt->auth->audit_log().set_failure_listener([](const AuditEvent& event, const Status& why) {
    api::log_event(api::LogLevel::kError, {{"msg", "audit event not recorded"},
                                           {"action", event.action},
                                           {"target", event.target},
                                           {"actor_id", event.actor_id},
                                           {"request_id", event.request_id},
                                           {"error", why.to_string()}});
  });
  rt->files->set_audit(&rt->auth->audit_log(), config.mass_delete_threshold);
  rt->audit_trail = std::make_unique<service::AuditTrail>(
      rt->catalog->accounts(), *master_key, [](const Result<AuditSeal>& sealed) {
        if (!sealed.is_ok()) {
          api::log_event(api::LogLevel::kError,
                         {{"msg", "audit seal failed"}, {"error", sealed.status().to_string()}});
          return;
        }
        // Logged in full, so a log kept elsewhere holds every seal: docs/archive.md.
        api::log_event(api::LogLevel::kInfo, {{"msg", "audit sealed"},
                                              {"seal_id", sealed->id},
                                              {"head_id", sealed->head_id},
                                              {"head_hash", sealed->head_hash},
                                              {"sealed_at", sealed->sealed_at},
                                              {"public_key", sealed->public_key},
                                              {"signature", sealed->signature}});
      });
  rt->s3_keys = std::make_unique<service::S3Keys>(rt->catalog->s3_keys(), *rt->auth,
                                                  auth::SecretBox(*master_key, "cofferS3"));
  rt->admin = std::make_unique<service::AdminService>(*rt->catalog, *rt->auth);
  rt->shares = std::make_unique<service::ShareService>(
      *rt->catalog, auth::SecretBox(*master_key, "cofferSL"),
      auth::UrlSigner(*master_key, "cofferLA"), auth_options.throttle);
  rt->shares->set_activity(rt->activity.get());

  service::UploadPolicy policy;
  policy.allowed = config.allowed_types;
  policy.denied = config.denied_types;
  policy.max_size = static_cast<uint64_t>(config.max_upload_size);
  for (const std::string& entry : config.max_upload_size_by_type) {
    auto limit = service::UploadPolicy::parse_type_limit(entry);
    COFFER_RETURN_IF_ERROR(limit);
    policy.max_size_by_type.push_back(std::move(*limit));
  }
  COFFER_RETURN_IF_ERROR(policy.validate());
  rt->files->set_upload_policy(std::move(policy));

  COFFER_RETURN_IF_ERROR(media::init_vips({}));
  rt->job_registry = std::make_unique<service::JobRegistry>();
  service::ThumbnailJobOptions thumbnails;
  thumbnails.max_pixels = static_cast<uint64_t>(config.thumbnail_max_pixels);
  rt->job_registry->add(std::string(kJobThumbnail), std::make_shared<service::ThumbnailJob>(
                                                        *rt->catalog, *rt->files, thumbnails));
  service::SearchOptions search_options;
  search_options.limits.max_text_bytes = static_cast<size_t>(config.search_text_bytes);
  rt->search = std::make_unique<service::SearchService>(*rt->catalog, *rt->files, search_options);
  // Text extraction for search runs as a background job after each upload. Every handler is
  // registered before the runner is made: it claims only the kinds it knows.
  rt->job_registry->add(std::string(kJobText), std::make_shared<service::TextJob>(*rt->search));
  service::JobRunnerOptions jobs;
  jobs.workers = config.job_workers;
  jobs.time_limit_micros = config.job_time_limit_seconds * 1'000'000;
  jobs.max_attempts = config.job_max_attempts;
  jobs.backoff_base_micros = config.job_backoff_seconds * 1'000'000;
  jobs.on_failure = job_failure_logger;
  rt->job_runner =
      std::make_unique<service::JobRunner>(rt->catalog->jobs(), *rt->job_registry, jobs);
  rt->files->set_jobs(rt->job_registry.get(),
                      [runner = rt->job_runner.get()] { runner->notify(); });
  return rt;
}

}  // namespace coffer::app
