#pragma once
// Server configuration. Sources, highest precedence first: command-line flags, COFFER_*
// environment variables, the TOML file given by --config. Every field has a default, so
// `coffer serve` runs with none of them. The fields users set, with their names, ranges and
// help, are listed once in the settings table (app/settings.h).

#include <cstdint>
#include <string>
#include <vector>

namespace coffer::app {

struct Config {
  std::string data_dir = "./coffer-data";
  std::string listen = "127.0.0.1:8080";
  // The S3-compatible API's listener (empty: none), its virtual-host domain and region.
  std::string s3_listen;
  std::string s3_base_domain;
  std::string s3_region = "us-east-1";
  std::string log_level = "info";
  unsigned io_threads = 2;
  unsigned worker_threads = 0;  // 0: handler_threads() picks
  unsigned max_connections = 4096;
  int64_t token_ttl_seconds = 900;
  int64_t token_key_rotation_days = 30;      // a new access-token signing key this often
  int64_t refresh_ttl_seconds = 30 * 86400;  // a sign-in session ends after this long unused
  int64_t refresh_grace_seconds = 30;        // a lost refresh response may be retried this long
  bool secure_cookies = true;                // false only for plain-http development
  int64_t gc_interval_seconds = 3600;        // 0 disables the in-server collector
  int64_t gc_grace_seconds = 3600;
  // The background scrubber re-reads every chunk at this many bytes per second (0: off), a
  // pass at most once per interval (docs/archive.md, "Scrub").
  int64_t scrub_rate = int64_t{8} << 20;
  int64_t scrub_interval_seconds = 7 * 86400;
  int64_t default_quota_bytes = 0;     // for users without their own quota; 0: unlimited
  int64_t keep_versions = 0;           // older versions kept per file; 0: all
  int64_t version_retention_days = 0;  // older versions deleted after this; 0: never
  int64_t trash_retention_days = 30;   // purged by the periodic collector; 0 keeps forever
  bool metrics_public = false;         // /metrics for anybody, not only local scrapes and operators
  int64_t mass_delete_threshold = 100;  // nodes per client per minute before an audit flag
  int64_t sqlite_memory_mib = 0;        // SQLite's heap in this process, a soft bound (0: none)
  // File activity and daily usage samples are pruned after these many days (0: kept).
  int64_t activity_retention_days = 90;
  int64_t usage_history_days = 400;
  // Resumable (tus) uploads: an incomplete one is deleted this long after its last append
  // (by the periodic collector), and none may be larger than upload_max_size.
  int64_t upload_expiry_seconds = 24 * 3600;
  int64_t upload_max_size = int64_t{1} << 40;
  bool dav_infinite_depth = false;  // WebDAV PROPFIND with Depth infinity (the whole tree)
  bool dav_password_login = false;  // WebDAV Basic with the account password, not only tokens
  int64_t search_text_bytes = int64_t{1} << 20;  // extracted text indexed per file, at most
  // API rate limits (token buckets, per node): a signed-in user may send `user_rate_burst`
  // requests at once and `user_rate_limit` per second after that; anonymous requests and
  // failed authentications are counted per client address. A rate of 0 turns a limit off.
  // They are there against abuse, not to pace clients: no single sync client, rclone run or
  // benchmark reaches the per-user limit even on a many-core node, and signed-in requests never
  // spend their address's bucket (behind a proxy, every user shares one address).
  double user_rate_limit = 100'000;
  int64_t user_rate_burst = 100'000;
  double ip_rate_limit = 1000;
  int64_t ip_rate_burst = 2000;
  // A successful credential check is reused for this long without reading the database; a
  // revocation on this node takes effect at once, one made on another node within this bound.
  // 0: every request reads the session or API token from the database.
  double auth_cache_seconds = 2;
  // Origins (scheme://host[:port], or "*") whose pages may call the API; empty: no CORS.
  std::vector<std::string> cors_origins;
  // Metadata in PostgreSQL (postgres://USER:PASSWORD@HOST:PORT/DB); empty: SQLite in data_dir.
  // The migration URL, when set, names a role allowed to change the schema, so that the
  // server's own role may hold row rights only. Both contain passwords: never log them.
  std::string database_url;
  std::string migration_database_url;
  // Where chunks live (src/app/storage.h): empty for <data>/chunks, file:///path or s3://...
  std::string storage_url;
  std::string s3_access_key_id;      // AWS_ACCESS_KEY_ID takes precedence
  std::string s3_secret_access_key;  // AWS_SECRET_ACCESS_KEY takes precedence
  // The server's master key (32 bytes): access tokens, signed URLs and sealed secrets all
  // depend on it, so every node of a cluster names a copy of the same file. Empty: the
  // data directory's own, created on first start. A named file must exist.
  std::string secret_key_file;

  // Background jobs (thumbnails; text extraction on the search branch): workers per node, an
  // attempt's time limit, attempts before a job is dead, the first retry delay (doubling).
  unsigned job_workers = 2;
  int64_t job_time_limit_seconds = 120;
  int job_max_attempts = 5;
  int64_t job_backoff_seconds = 10;
  // Images whose header declares more pixels are not decoded (decompression bombs).
  int64_t thumbnail_max_pixels = 100'000'000;
  // Upload policy (service/upload_policy.h): MIME patterns (image/png, image/*) of sniffed
  // types; the overall size limit (0: none) and per-type limits as "PATTERN=BYTES".
  std::vector<std::string> allowed_types;
  std::vector<std::string> denied_types;
  int64_t max_upload_size = 0;
  std::vector<std::string> max_upload_size_by_type;

  // Paths inside the data directory.
  std::string database_path() const { return data_dir + "/meta.db"; }
  // The worker pool's size: worker_threads, or when that is 0, 8 per core (16 to 128) on the
  // embedded engines and 64 (or 8 per core, if more) when metadata or chunks are remote. A
  // local handler mostly computes, and threads beyond what the cores run only add wake-ups and
  // contention (docs/benchmarks.md, "Handler threads"); a remote one mostly waits on the network.
  unsigned handler_threads() const;
  // Read connections each SQLite database (metadata, the volume index) may open: one per
  // thread that runs handlers, so that no read waits for another's connection.
  int read_connections() const;
  std::string chunks_path() const { return data_dir + "/chunks"; }
  std::string default_key_path() const { return data_dir + "/secrets/token.key"; }
};

}  // namespace coffer::app
