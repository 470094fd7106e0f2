// coffer: the single binary. `coffer serve` runs the server; the other subcommands
// administer a data directory (users, integrity, garbage collection, migrations).

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "api/api_handler.h"
#include "api/audit_json.h"
#include "api/log.h"
#include "app/config_docs.h"
#include "app/config_env.h"
#include "app/config_file.h"
#include "app/config_flags.h"
#include "app/runtime.h"
#include "app/storage.h"
#include "auth/password.h"
#include "backup/backup.h"
#include "backup/restore.h"
#include "core/audit_chain.h"
#include "core/usage_history.h"
#include "http/server.h"
#include "s3api/s3_handler.h"
#include "service/maintenance.h"
#include "service/scrubber.h"
#include "service/storage_migration.h"

namespace coffer::app {
namespace {

constexpr const char* kVersion = "0.1.0";
// How long the server's collector waits for uploads on every node to pause before a sweep.
constexpr std::chrono::seconds kGcUploadWait{60};
// How long done background jobs stay visible to operators.
constexpr Micros kDoneJobRetention = 7 * 86'400'000'000LL;

int fail(const Status& status) {
  std::fprintf(stderr, "coffer: %s\n", status.to_string().c_str());
  return status.code() == Errc::kInvalidArgument || status.code() == Errc::kWeakPassword ||
                 status.code() == Errc::kAlreadyExists || status.code() == Errc::kNotFound
             ? 2
             : 1;
}

// "HOST:PORT" of the setting `flag` names ("--listen", "--s3-listen").
Result<std::pair<std::string, uint16_t>> split_listen(const std::string& listen,
                                                      std::string_view flag = "--listen") {
  const std::string usage = std::string(flag) + " must be HOST:PORT";
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status(Errc::kInvalidArgument, usage);
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    return std::make_pair(host, static_cast<uint16_t>(port));
  } catch (...) {
    return Status(Errc::kInvalidArgument, usage + " with a port from 0 to 65535");
  }
}

// Prunes file activity and usage samples past their retention, then samples today's storage
// usage (replacing an earlier sample of the same day). Failures are logged: the next run
// tries again.
void record_usage_and_prune(Runtime& rt) {
  const Micros now = now_micros();
  if (rt.config.activity_retention_days > 0) {
    auto pruned =
        rt.activity->prune_before(now - rt.config.activity_retention_days * 86'400'000'000LL);
    if (!pruned.is_ok()) {
      api::log_event(api::LogLevel::kError, {{"msg", "activity retention failed"},
                                             {"error", pruned.status().to_string()}});
    }
  }
  meta::UsageHistoryStore& history = rt.catalog->usage_history();
  if (rt.config.usage_history_days > 0) {
    auto pruned = history.prune_before(day_of(now) - rt.config.usage_history_days + 1);
    if (!pruned.is_ok()) {
      api::log_event(api::LogLevel::kError, {{"msg", "usage history retention failed"},
                                             {"error", pruned.status().to_string()}});
    }
  }
  if (auto sample = history.sample(day_of(now)); !sample.is_ok()) {
    api::log_event(api::LogLevel::kError,
                   {{"msg", "usage sample failed"}, {"error", sample.status().to_string()}});
  }
}

// Runs the collector every interval until stopped.
class PeriodicGc {
 public:
  PeriodicGc(Runtime& rt) : rt_(rt) {
    if (rt_.config.gc_interval_seconds > 0) thread_ = std::thread([this] { loop(); });
  }
  ~PeriodicGc() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::seconds(rt_.config.gc_interval_seconds),
                         [this] { return stopping_; })) {
      lock.unlock();
      // Trash past its retention goes first, so its chunks can be collected in this pass.
      if (rt_.config.trash_retention_days > 0) {
        auto purged = rt_.catalog->purge_trash_before(
            now_micros() - rt_.config.trash_retention_days * 86'400'000'000LL);
        if (!purged.is_ok()) {
          api::log_event(api::LogLevel::kError, {{"msg", "trash retention failed"},
                                                 {"error", purged.status().to_string()}});
        } else if (*purged > 0) {
          api::log_event(api::LogLevel::kInfo, {{"msg", "trash retention"}, {"purged", *purged}});
        }
      }
      if (rt_.config.version_retention_days > 0) {
        auto pruned = rt_.catalog->prune_versions_before(
            now_micros() - rt_.config.version_retention_days * 86'400'000'000LL);
        if (!pruned.is_ok()) {
          api::log_event(api::LogLevel::kError, {{"msg", "version retention failed"},
                                                 {"error", pruned.status().to_string()}});
        } else if (*pruned > 0) {
          api::log_event(api::LogLevel::kInfo,
                         {{"msg", "version retention"}, {"versions_deleted", *pruned}});
        }
      }
      // Expired uploads go before the collection too: their chunks are unreferenced now.
      for (auto expired : {rt_.uploads->remove_expired(), rt_.chunked_uploads->remove_expired()}) {
        if (!expired.is_ok()) {
          api::log_event(api::LogLevel::kError, {{"msg", "upload expiry failed"},
                                                 {"error", expired.status().to_string()}});
        } else if (*expired > 0) {
          api::log_event(api::LogLevel::kInfo, {{"msg", "upload expiry"}, {"expired", *expired}});
        }
      }
      // Finished jobs are kept a week for operators, then forgotten.
      if (auto pruned = rt_.catalog->jobs().prune_done(now_micros() - kDoneJobRetention);
          !pruned.is_ok()) {
        api::log_event(api::LogLevel::kError,
                       {{"msg", "job pruning failed"}, {"error", pruned.status().to_string()}});
      }
      // Thumbnails of contents no version has any more go before the sweep, which then
      // collects their chunks.
      if (auto pruned = rt_.catalog->media().prune_orphans(); !pruned.is_ok()) {
        api::log_event(api::LogLevel::kError, {{"msg", "thumbnail pruning failed"},
                                               {"error", pruned.status().to_string()}});
      }
      auto report = service::collect_garbage(*rt_.catalog, *rt_.chunks, rt_.inflight, *rt_.leases,
                                             rt_.config.gc_grace_seconds, kGcUploadWait);
      if (report.is_ok()) {
        api::log_event(api::LogLevel::kInfo, {{"msg", "gc"},
                                              {"chunks_seen", report->chunks_seen},
                                              {"chunks_removed", report->chunks_removed},
                                              {"bytes_removed", report->bytes_removed},
                                              {"bytes_compacted", report->bytes_compacted},
                                              {"deferred", report->deferred}});
      } else {
        api::log_event(api::LogLevel::kError,
                       {{"msg", "gc failed"}, {"error", report.status().to_string()}});
      }
      // After the collection, so that the sample counts what is still stored.
      record_usage_and_prune(rt_);
      lock.lock();
    }
  }

  Runtime& rt_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

int serve(const Config& config) {
  api::init_logging(config.log_level);
  auto listen = split_listen(config.listen);
  if (!listen.is_ok()) return fail(listen.status());
  std::optional<std::pair<std::string, uint16_t>> s3_listen;
  if (!config.s3_listen.empty()) {
    auto parsed = split_listen(config.s3_listen, "--s3-listen");
    if (!parsed.is_ok()) return fail(parsed.status());
    s3_listen = std::move(*parsed);
  }
  auto cors = api::CorsPolicy::from_origins(config.cors_origins);
  if (!cors.is_ok()) return fail(cors.status());
  auto rt = open_runtime(config, [](const Job& job, const Status& error, bool dead) {
    api::log_event(dead ? api::LogLevel::kError : api::LogLevel::kWarn,
                   {{"msg", dead ? "job dead" : "job failed"},
                    {"job", job.id},
                    {"kind", job.kind},
                    {"node", job.node_id},
                    {"attempts", job.attempts},
                    {"error", error.to_string()}});
  });
  if (!rt.is_ok()) return fail(rt.status());
  Runtime& runtime = **rt;

  auto users = runtime.catalog->list_users();
  if (users.is_ok() && users->empty()) {
    std::fprintf(stderr,
                 "\nNo users yet. Create the first administrator (it prints a one-time password):\n"
                 "    coffer user add admin --admin --data %s\n\n",
                 config.data_dir.c_str());
  }

  api::RequestLimits limits;
  limits.per_user = {config.user_rate_limit, static_cast<double>(config.user_rate_burst)};
  limits.per_address = {config.ip_rate_limit, static_cast<double>(config.ip_rate_burst)};
  api::Metrics metrics;
  service::Scrubber scrubber(*runtime.chunks, runtime.files->damaged_chunks(),
                             {.bytes_per_second = static_cast<uint64_t>(config.scrub_rate),
                              .interval = std::chrono::seconds(config.scrub_interval_seconds)});
  api::ApiHandler handler(
      api::ApiContext{*runtime.files,
                      *runtime.auth,
                      *runtime.admin,
                      *runtime.shares,
                      *runtime.search,
                      *runtime.catalog,
                      *runtime.chunks,
                      metrics,
                      *runtime.url_signer,
                      config.data_dir,
                      config.secure_cookies,
                      api::DavOptions{config.dav_infinite_depth, config.dav_password_login},
                      runtime.uploads.get(),
                      [&runtime] { runtime.job_runner->notify(); },
                      runtime.activity.get(),
                      runtime.chunked_uploads.get(),
                      runtime.changes.get(),
                      config.metrics_public,
                      runtime.s3_keys.get(),
                      &scrubber},
      limits, std::move(*cors));
  http::ServerOptions options;
  options.host = listen->first;
  options.port = listen->second;
  options.io_threads = config.io_threads;
  options.worker_threads = config.handler_threads();
  options.max_connections = config.max_connections;
  s3api::S3Handler s3_handler(s3api::S3Context{
      *runtime.files, *runtime.chunked_uploads,
      [&runtime](std::string_view access_key_id) -> std::optional<s3api::S3Identity> {
        auto credential = runtime.s3_keys->authenticate(access_key_id);
        if (!credential.is_ok()) return std::nullopt;
        return s3api::S3Identity{std::move(credential->secret_access_key), credential->principal};
      },
      metrics, s3api::S3Options{config.s3_base_domain, config.s3_region}});
  http::HttpServer server(options, handler);
  if (auto status = server.listen(); !status.is_ok()) return fail(status);
  if (s3_listen) {
    auto port = server.add_listener(s3_listen->first, s3_listen->second, s3_handler);
    if (!port.is_ok()) return fail(port.status());
    api::log_event(
        api::LogLevel::kInfo,
        {{"msg", "listening"}, {"api", "s3"}, {"address", s3_listen->first}, {"port", *port}});
  }
  // Usage history gets today's point at once, not only after the first collection.
  record_usage_and_prune(runtime);
  PeriodicGc gc(runtime);
  runtime.job_runner->start();
  scrubber.start();
  runtime.audit_trail->start();
  api::log_event(api::LogLevel::kInfo, {{"msg", "listening"},
                                        {"address", listen->first},
                                        {"port", server.port()},
                                        {"data", config.data_dir},
                                        {"version", kVersion}});
  server.run();
  scrubber.stop();
  runtime.job_runner->stop();
  // Seals what was appended up to now, so verification covers the whole log.
  runtime.audit_trail->stop();
  api::log_event(api::LogLevel::kInfo, {{"msg", "stopped"}});
  return 0;
}

// The password from the first line of standard input, or a generated one.
Result<std::string> obtain_password(bool from_stdin) {
  if (!from_stdin) return auth::generate_password();
  std::string line;
  if (!std::getline(std::cin, line)) {
    return Status(Errc::kInvalidArgument, "no password on standard input");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int user_add(const Config& config, const std::string& name, bool admin, bool from_stdin) {
  auto rt = open_runtime(config);
  if (!rt.is_ok()) return fail(rt.status());
  auto obtained = obtain_password(from_stdin);
  if (!obtained.is_ok()) return fail(obtained.status());
  const std::string& password = *obtained;
  auto user = (*rt)->auth->create_user(name, password, admin ? Role::kAdmin : Role::kUser);
  if (!user.is_ok()) return fail(user.status());
  std::printf("created %s %s (id %lld)\n", admin ? "administrator" : "user", name.c_str(),
              static_cast<long long>(user->id));
  if (!from_stdin)
    std::printf("password: %s\n(shown once; change it with `coffer user passwd %s`)\n",
                password.c_str(), name.c_str());
  return 0;
}

int user_passwd(const Config& config, const std::string& name, bool from_stdin) {
  auto rt = open_runtime(config);
  if (!rt.is_ok()) return fail(rt.status());
  auto obtained = obtain_password(from_stdin);
  if (!obtained.is_ok()) return fail(obtained.status());
  const std::string& password = *obtained;
  if (auto status = (*rt)->auth->set_password(name, password); !status.is_ok()) return fail(status);
  std::printf("password of %s changed\n", name.c_str());
  if (!from_stdin) std::printf("password: %s\n", password.c_str());
  return 0;
}

int user_list(const Config& config) {
  auto rt = open_runtime(config);
  if (!rt.is_ok()) return fail(rt.status());
  auto users = (*rt)->catalog->list_users();
  if (!users.is_ok()) return fail(users.status());
  std::printf("%-8s %-32s %-9s %s\n", "ID", "USERNAME", "ROLE", "STATUS");
  for (const auto& u : *users) {
    std::printf("%-8lld %-32s %-9s %s\n", static_cast<long long>(u.id), u.username.c_str(),
                std::string(role_name(u.role)).c_str(),
                std::string(user_status_name(u.status)).c_str());
  }
  return 0;
}

int fsck(const Config& config) {
  auto rt = open_runtime(config);
  if (!rt.is_ok()) return fail(rt.status());
  auto report = service::check_integrity(*(*rt)->catalog, *(*rt)->chunks);
  if (!report.is_ok()) return fail(report.status());
  for (const auto& problem : report->problems) std::printf("PROBLEM %s\n", problem.c_str());
  std::printf("checked %llu chunks (%llu bytes) and %llu versions: %s\n",
              static_cast<unsigned long long>(report->chunks_checked),
              static_cast<unsigned long long>(report->bytes_checked),
              static_cast<unsigned long long>(report->versions_checked),
              report->clean() ? "clean" : "PROBLEMS FOUND");
  return report->clean() ? 0 : 1;
}

// One scrub pass from the command line (also while the server runs: it only reads).
int scrub(const Config& config, int64_t rate) {
  auto rt = open_runtime(config);
  if (!rt.is_ok()) return fail(rt.status());
  service::ScrubHooks hooks;
  hooks.on_damage = [](const store::ChunkId& id, const Status& error) {
    std::printf("DAMAGED chunk %s: %s\n", id.hex().c_str(), error.to_string().c_str());
  };
  const service::ScrubPassReport report =
      service::scrub_pass(*(*rt)->chunks, static_cast<uint64_t>(rate), hooks);
  if (!report.error.empty()) return fail(Status(Errc::kIoError, report.error));
  std::printf("scrubbed %llu chunks (%llu bytes) in %.1f s: %llu damaged\n",
              static_cast<unsigned long long>(report.chunks_checked),
              static_cast<unsigned long long>(report.bytes_checked),
              static_cast<double>(report.finished - report.started) / 1e6,
              static_cast<unsigned long long>(report.damaged));
  return report.damaged == 0 ? 0 : 1;
}

// `coffer audit verify`: exit 0 when the chain and every seal are proven, 1 naming the first
// broken entry otherwise.
int audit_verify(const Config& config, std::vector<std::string> public_keys) {
  auto rt = open_runtime(config);
  if (!rt.is_ok()) return fail(rt.status());
  for (std::string& key : public_keys) {
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!is_audit_hash(key)) {
      return fail(Status(Errc::kInvalidArgument, "--public-key must be 64 hex digits"));
    }
  }
  const std::string own_key = (*rt)->audit_trail->public_key();
  auto result = (*rt)->audit_trail->verify(public_keys);
  if (!result.is_ok()) return fail(result.status());
  const AuditVerification& v = *result;
  std::printf("audit key: %s\n", public_keys.empty() ? own_key.c_str() : "as given (--public-key)");
  std::printf("entries: %lld chained, %lld before the chain began (not covered)\n",
              static_cast<long long>(v.entries), static_cast<long long>(v.legacy_entries));
  std::printf("seals: %lld proven, the newest covering entries up to #%lld\n",
              static_cast<long long>(v.seals), static_cast<long long>(v.sealed_through));
  if (v.broken) {
    std::printf("BROKEN at entry #%lld: %s\n", static_cast<long long>(v.broken->entry_id),
                v.broken->reason.c_str());
    return 1;
  }
  std::printf("head: #%lld %s\n", static_cast<long long>(v.head_id), v.head_hash.c_str());
  if (v.head_id > v.sealed_through) {
    std::printf("note: entries after #%lld are chained but not sealed yet\n",
                static_cast<long long>(v.sealed_through));
  }
  std::printf("intact\n");
  return 0;
}

// `coffer audit export`: every audit entry, oldest first, as JSON Lines on standard output.
int audit_export(const Config& config) {
  auto rt = open_runtime(config);
  if (!rt.is_ok()) return fail(rt.status());
  Status status = (*rt)->catalog->accounts().scan_audit([](const AuditEvent& e) {
    const std::string line = api::audit_export_line(e) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()) {
      return Status(Errc::kIoError, "cannot write to standard output");
    }
    return Status::ok();
  });
  if (status.is_ok() && std::fflush(stdout) != 0) {
    status = Status(Errc::kIoError, "cannot write to standard output");
  }
  return status.is_ok() ? 0 : fail(status);
}

int gc(const Config& config, int64_t grace, int64_t wait) {
  auto rt = open_runtime(config);
  if (!rt.is_ok()) return fail(rt.status());
  auto report = service::collect_garbage(*(*rt)->catalog, *(*rt)->chunks, (*rt)->inflight,
                                         *(*rt)->leases, grace, std::chrono::seconds(wait));
  if (!report.is_ok()) return fail(report.status());
  if (report->deferred) {
    std::printf("deferred: uploads were still in progress after %lld s; nothing removed\n",
                static_cast<long long>(wait));
  }
  std::printf(
      "chunks: %llu stored, %llu referenced, %llu removed (%llu bytes), %llu kept for the grace "
      "period\n",
      static_cast<unsigned long long>(report->chunks_seen),
      static_cast<unsigned long long>(report->chunks_referenced),
      static_cast<unsigned long long>(report->chunks_removed),
      static_cast<unsigned long long>(report->bytes_removed),
      static_cast<unsigned long long>(report->chunks_in_grace));
  std::printf("volumes: %llu bytes given back by compaction\n",
              static_cast<unsigned long long>(report->bytes_compacted));
  return 0;
}

// `coffer backup` covers the embedded setup; the others have their engines' own backups.
Status check_backup_setup(const Config& config) {
  if (!config.database_url.empty()) {
    return Status(Errc::kInvalidArgument,
                  "coffer backup copies the embedded SQLite metadata; with PostgreSQL back up the "
                  "database with pg_dump or base backups and the chunk store with its own tools "
                  "(docs/archive.md, \"Backup and restore\")");
  }
  if (!config.storage_url.empty() && !config.storage_url.starts_with("file://")) {
    return Status(Errc::kInvalidArgument,
                  "coffer backup copies chunks on local disk; for an S3 store use bucket "
                  "versioning or replication (docs/archive.md, \"Backup and restore\")");
  }
  return Status::ok();
}

int backup(const Config& config, const std::string& to) {
  if (auto status = check_backup_setup(config); !status.is_ok()) return fail(status);
  backup::BackupSource source;
  source.metadata_db = config.database_path();
  source.chunk_root =
      config.storage_url.empty() ? config.chunks_path() : config.storage_url.substr(7);
  source.key_file =
      config.secret_key_file.empty() ? config.default_key_path() : config.secret_key_file;
  source.coffer_version = kVersion;
  auto report = backup::run_backup(source, to);
  if (!report.is_ok()) return fail(report.status());
  auto count = [](const backup::CopyCount& c) {
    return std::to_string(c.files) + " files (" + std::to_string(c.bytes) + " bytes)";
  };
  std::printf("metadata: copied %s\n", count(report->metadata).c_str());
  std::printf("chunk files: copied %s, skipped %s already in the backup\n",
              count(report->chunk_files_copied).c_str(),
              count(report->chunk_files_skipped).c_str());
  std::printf("volumes: copied %s, skipped %s already in the backup\n",
              count(report->volumes_copied).c_str(), count(report->volumes_skipped).c_str());
  std::printf("removed %llu files no longer in the backup\n",
              static_cast<unsigned long long>(report->files_removed));
  std::printf("backup generation %llu complete: %llu bytes in %s, %.2f s\n",
              static_cast<unsigned long long>(report->generation),
              static_cast<unsigned long long>(report->total_bytes), to.c_str(), report->seconds);
  return 0;
}

int backup_verify(const std::string& dir) {
  auto report = backup::verify_backup(dir);
  if (!report.is_ok()) {
    std::fprintf(stderr, "coffer: backup in %s is damaged: %s\n", dir.c_str(),
                 report.status().to_string().c_str());
    return 1;
  }
  std::printf("backup generation %llu verified: %llu files, %llu bytes match the manifest\n",
              static_cast<unsigned long long>(report->generation),
              static_cast<unsigned long long>(report->files),
              static_cast<unsigned long long>(report->bytes));
  return 0;
}

int restore(const Config& config, const std::string& from) {
  if (auto status = check_backup_setup(config); !status.is_ok()) return fail(status);
  auto report = backup::restore_backup(from, config.data_dir);
  if (!report.is_ok()) return fail(report.status());
  std::printf("restored backup generation %llu into %s: %llu files, %llu bytes, all verified\n",
              static_cast<unsigned long long>(report->generation), config.data_dir.c_str(),
              static_cast<unsigned long long>(report->files),
              static_cast<unsigned long long>(report->bytes));
  return 0;
}

int storage_migrate(const Config& config, const std::string& from_url, const std::string& to_url,
                    bool verify) {
  auto from = open_chunk_store(from_url.empty() ? config.storage_url : from_url, config);
  if (!from.is_ok()) return fail(from.status());
  auto to = open_chunk_store(to_url, config);
  if (!to.is_ok()) return fail(to.status());
  auto report = service::migrate_chunks(**from, **to, verify);
  if (!report.is_ok()) return fail(report.status());
  for (const auto& failure : report->failures) std::printf("FAILED %s\n", failure.c_str());
  std::printf(
      "chunks: %llu in the source, %llu copied (%llu bytes), %llu already in the target, %llu "
      "failed",
      static_cast<unsigned long long>(report->chunks_in_source),
      static_cast<unsigned long long>(report->chunks_copied),
      static_cast<unsigned long long>(report->bytes_copied),
      static_cast<unsigned long long>(report->chunks_already_present),
      static_cast<unsigned long long>(report->failures.size()));
  if (verify) {
    std::printf(", %llu verified in the target",
                static_cast<unsigned long long>(report->chunks_verified));
  }
  std::printf("\n");
  return report->clean() ? 0 : 1;
}

int run(int argc, char** argv) {
  // Precedence: flags, then COFFER_* variables, then the file, then built-in defaults. Each
  // source is applied over the ones below it; the table in settings.h checks them all.
  Config config;
  std::string config_path = find_config_path(argc, argv);
  if (!config_path.empty()) {
    if (auto status = load_config_file(config_path, config); !status.is_ok()) return fail(status);
  }
  if (auto status = load_environment(config); !status.is_ok()) return fail(status);
  CLI::App app{"Coffer: self-hosted document and file storage", "coffer"};
  app.require_subcommand(1);
  app.add_option("--config", config_path,
                 "TOML configuration file (flags and COFFER_* variables take precedence)")
      ->envname("COFFER_CONFIG");
  auto* serve_cmd = app.add_subcommand("serve", "Run the server");
  serve_cmd->fallthrough();
  SettingFlags setting_flags;
  setting_flags.add(app, *serve_cmd, config);

  auto* user_cmd = app.add_subcommand("user", "Manage users");
  user_cmd->fallthrough();
  user_cmd->require_subcommand(1);
  std::string username;
  bool admin = false;
  bool password_stdin = false;
  auto* add_cmd =
      user_cmd->add_subcommand("add", "Create a user (prints a generated password once)");
  add_cmd->fallthrough();
  add_cmd->add_option("NAME", username, "Username")->required();
  add_cmd->add_flag("--admin", admin, "Make the user an administrator");
  add_cmd->add_flag("--password-stdin", password_stdin, "Read the password from standard input");
  auto* list_cmd = user_cmd->add_subcommand("list", "List users");
  list_cmd->fallthrough();
  auto* passwd_cmd = user_cmd->add_subcommand(
      "passwd", "Set a user's password (generated unless --password-stdin)");
  passwd_cmd->fallthrough();
  passwd_cmd->add_option("NAME", username, "Username")->required();
  passwd_cmd->add_flag("--password-stdin", password_stdin, "Read the password from standard input");

  auto* fsck_cmd = app.add_subcommand(
      "fsck", "Verify every chunk and every version's chunk list; exit 1 on problems");
  fsck_cmd->fallthrough();
  int64_t grace = config.gc_grace_seconds;
  auto* gc_cmd = app.add_subcommand("gc", "Delete chunks no version references");
  gc_cmd->fallthrough();
  gc_cmd->add_option("--grace", grace, "Keep unreferenced chunks younger than this many seconds")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  int64_t gc_wait = kGcUploadWait.count();
  gc_cmd
      ->add_option("--wait", gc_wait,
                   "Seconds to wait for uploads on every node to pause before deleting")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{86400}));
  int64_t scrub_rate = 0;
  auto* scrub_cmd = app.add_subcommand(
      "scrub", "Re-read and verify every stored chunk; exit 1 if any is damaged");
  scrub_cmd->fallthrough();
  scrub_cmd->add_option("--rate", scrub_rate, "Bytes per second at most (0: as fast as it can)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  auto* audit_cmd = app.add_subcommand("audit", "Prove or export the tamper-evident audit trail");
  audit_cmd->fallthrough();
  audit_cmd->require_subcommand(1);
  std::vector<std::string> audit_keys;
  auto* audit_verify_cmd = audit_cmd->add_subcommand(
      "verify", "Check the audit chain and its seals; exit 1 naming the first broken entry");
  audit_verify_cmd->fallthrough();
  audit_verify_cmd->add_option(
      "--public-key", audit_keys,
      "Trust seals signed by this Ed25519 public key (hex; repeatable) instead of this server's");
  auto* audit_export_cmd = audit_cmd->add_subcommand(
      "export", "Write every audit entry with its hashes as JSON Lines to standard output");
  audit_export_cmd->fallthrough();
  auto* migrate_cmd = app.add_subcommand("migrate", "Apply pending database migrations");
  migrate_cmd->fallthrough();
  auto* storage_cmd = app.add_subcommand("storage", "Manage chunk storage");
  storage_cmd->fallthrough();
  storage_cmd->require_subcommand(1);
  std::string migrate_from;
  std::string migrate_to;
  bool migrate_verify = false;
  auto* storage_migrate_cmd = storage_cmd->add_subcommand(
      "migrate", "Copy every chunk the target lacks, verifying each; resumable");
  storage_migrate_cmd->fallthrough();
  storage_migrate_cmd->add_option("--from", migrate_from,
                                  "Source storage URL (default: the configured storage)");
  storage_migrate_cmd->add_option("--to", migrate_to, "Target storage URL")->required();
  storage_migrate_cmd->add_flag("--verify", migrate_verify,
                                "Read every chunk back from the target and verify it");
  std::string backup_to;
  bool backup_verify_only = false;
  auto* backup_cmd = app.add_subcommand(
      "backup", "Back up the data directory while the server runs (incremental, verified)");
  backup_cmd->fallthrough();
  backup_cmd->add_option("--to", backup_to, "Backup directory (created; later backups add to it)")
      ->required();
  backup_cmd->add_flag("--verify", backup_verify_only,
                       "Only re-read the backup in --to and check it against its manifest");
  std::string restore_from;
  auto* restore_cmd = app.add_subcommand(
      "restore", "Restore a backup into an empty data directory (--data), verifying every byte");
  restore_cmd->fallthrough();
  restore_cmd->add_option("--from", restore_from, "Backup directory")->required();
  auto* config_cmd = app.add_subcommand("config", "Describe the configuration");
  config_cmd->require_subcommand(1);
  auto* config_docs_cmd = config_cmd->add_subcommand(
      "docs", "Print docs/configuration.md: every setting, from the settings table");
  auto* version_cmd = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (auto status = setting_flags.apply(config); !status.is_ok()) return fail(status);
  if (*config_docs_cmd) {
    std::fputs(configuration_markdown().c_str(), stdout);
    return 0;
  }
  if (*version_cmd) {
    std::printf("coffer %s\n", kVersion);
    return 0;
  }
  if (*serve_cmd) return serve(config);
  if (*add_cmd) return user_add(config, username, admin, password_stdin);
  if (*list_cmd) return user_list(config);
  if (*passwd_cmd) return user_passwd(config, username, password_stdin);
  if (*fsck_cmd) return fsck(config);
  if (*gc_cmd) return gc(config, grace, gc_wait);
  if (*scrub_cmd) return scrub(config, scrub_rate);
  if (*audit_verify_cmd) return audit_verify(config, audit_keys);
  if (*audit_export_cmd) return audit_export(config);
  if (*backup_cmd) return backup_verify_only ? backup_verify(backup_to) : backup(config, backup_to);
  if (*restore_cmd) return restore(config, restore_from);
  if (*storage_migrate_cmd)
    return storage_migrate(config, migrate_from, migrate_to, migrate_verify);
  if (*migrate_cmd) {
    auto rt = open_runtime(config);
    if (!rt.is_ok()) return fail(rt.status());
    std::printf("database is up to date\n");
    return 0;
  }
  return 2;
}

}  // namespace
}  // namespace coffer::app

int main(int argc, char** argv) { return coffer::app::run(argc, argv); }
