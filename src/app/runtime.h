#pragma once
// The wired-up program: opens the data directory, the catalog and the chunk store, and builds
// the services on them. Shared by `serve` and the administrative commands.

#include <functional>
#include <memory>

#include "app/config.h"
#include "auth/url_signer.h"
#include "core/status.h"
#include "meta/catalog.h"
#include "service/activity_log.h"
#include "service/admin_service.h"
#include "service/audit_trail.h"
#include "service/auth_service.h"
#include "service/change_feed.h"
#include "service/chunked_uploads.h"
#include "service/file_service.h"
#include "service/job_registry.h"
#include "service/job_runner.h"
#include "service/s3_keys.h"
#include "service/search_service.h"
#include "service/share_service.h"
#include "service/upload_sessions.h"
#include "store/chunk_store.h"
#include "store/gc_leases.h"
#include "store/inflight_chunks.h"

namespace coffer::app {

struct Runtime {
  Config config;
  std::unique_ptr<meta::Catalog> catalog;
  std::unique_ptr<store::ChunkStore> chunks;
  store::InflightChunks inflight;
  std::unique_ptr<store::GcLeases> leases;  // uploads against garbage collection, every node
  // Before the services that record into it, so that it outlives them.
  std::unique_ptr<service::ActivityLog> activity;
  std::unique_ptr<service::ChangeFeed> changes;  // read from the activity log
  std::unique_ptr<service::FileService> files;
  std::unique_ptr<service::UploadSessions> uploads;          // resumable (tus) uploads
  std::unique_ptr<service::ChunkedUploads> chunked_uploads;  // the sync clients' chunked uploads
  std::unique_ptr<service::AuthService> auth;
  std::unique_ptr<service::AuditTrail> audit_trail;  // seals the audit log (started by `serve`)
  std::unique_ptr<service::S3Keys> s3_keys;          // the S3-compatible API's access keys
  std::unique_ptr<service::AdminService> admin;
  std::unique_ptr<service::ShareService> shares;
  std::unique_ptr<service::SearchService> search;
  std::unique_ptr<auth::UrlSigner> url_signer;  // signed download URLs
  // Background jobs: handlers by kind, and the workers (started by `serve` only). Last, so
  // that the workers stop before anything they use goes away.
  std::unique_ptr<service::JobRegistry> job_registry;
  std::unique_ptr<service::JobRunner> job_runner;
};

// Told about each failed job attempt (serve logs them).
using JobFailureLogger = std::function<void(const Job&, const Status&, bool dead)>;

// Creates the data directory layout if needed and opens everything (applying migrations).
Result<std::unique_ptr<Runtime>> open_runtime(const Config& config,
                                              JobFailureLogger job_failure_logger = {});

}  // namespace coffer::app
