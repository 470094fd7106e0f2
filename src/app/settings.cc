#include "app/settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace coffer::app {
namespace {

constexpr int64_t kLargeSeconds = int64_t{1} << 40;
constexpr int64_t kLargeBytes = int64_t{1} << 62;
constexpr int64_t kDays = 36500;
// Bounds of the rate-limit settings (requests per second, bucket size).
constexpr Range kRequestRate{0, 1'000'000};
constexpr Range kRequestBurst{1, 10'000'000};

constexpr Section kGlobal = Section::kGlobal;
constexpr Section kServe = Section::kServe;

// One row per setting: key, section, flag, environment variable, field, help, then the range
// of a number, the choices of a string (separated by commas), and whether it is secret.
std::vector<Setting> make_settings() {
  return {
      {"data", kGlobal, "--data", "COFFER_DATA", &Config::data_dir, "Data directory"},
      {"log_level", kGlobal, "--log-level", "COFFER_LOG_LEVEL", &Config::log_level,
       "Least severe log level written", std::nullopt, "debug,info,warn,error"},
      {"database_url", kGlobal, "--database-url", "COFFER_DATABASE_URL", &Config::database_url,
       "PostgreSQL metadata: postgres://USER:PASSWORD@HOST:PORT/DB (default: SQLite in the data "
       "directory)",
       std::nullopt, "", /*secret=*/true},
      {"migration_database_url", kGlobal, "--migration-database-url",
       "COFFER_MIGRATION_DATABASE_URL", &Config::migration_database_url,
       "PostgreSQL URL of a role allowed to change the schema, used for migrations (default: "
       "the database URL)",
       std::nullopt, "", /*secret=*/true},
      {"storage_url", kGlobal, "--storage-url", "COFFER_STORAGE_URL", &Config::storage_url,
       "Chunk storage: file:///PATH or s3://BUCKET/PREFIX?endpoint=URL&region=R&addressing=path "
       "(default: DATA/chunks; the endpoint defaults to AWS)"},
      {"secret_key_file", kGlobal, "--secret-key-file", "COFFER_SECRET_KEY_FILE",
       &Config::secret_key_file,
       "The server's 32-byte master key, the same file on every node; a named file must exist "
       "(default: DATA/secrets/token.key, created on first start)"},
      {"s3_access_key_id", kGlobal, "", "", &Config::s3_access_key_id,
       "Access key of an s3:// storage URL (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
       "AWS_SESSION_TOKEN take precedence)"},
      {"s3_secret_access_key", kGlobal, "", "", &Config::s3_secret_access_key,
       "Secret key of an s3:// storage URL", std::nullopt, "", /*secret=*/true},

      {"listen", kServe, "--listen", "COFFER_LISTEN", &Config::listen, "HOST:PORT to listen on"},
      {"s3_listen", kServe, "--s3-listen", "COFFER_S3_LISTEN", &Config::s3_listen,
       "HOST:PORT of the S3-compatible API (docs/s3.md); empty: off"},
      {"s3_base_domain", kServe, "--s3-base-domain", "COFFER_S3_BASE_DOMAIN",
       &Config::s3_base_domain,
       "Domain under which BUCKET.DOMAIN names a bucket (virtual-hosted-style S3 addressing); "
       "empty: path-style only"},
      {"s3_region", kServe, "--s3-region", "COFFER_S3_REGION", &Config::s3_region,
       "Region the S3 API reports for every bucket (clients may sign with any)"},
      {"io_threads", kServe, "--io-threads", "COFFER_IO_THREADS", &Config::io_threads,
       "Threads for network I/O", Range{1, 64}},
      {"worker_threads", kServe, "--worker-threads", "COFFER_WORKER_THREADS",
       &Config::worker_threads,
       "Threads for request handlers; 0: 8 per core (16 to 128) with SQLite and local disk, at "
       "least 64 with PostgreSQL or S3",
       Range{0, 1024}},
      {"max_connections", kServe, "--max-connections", "COFFER_MAX_CONNECTIONS",
       &Config::max_connections, "Connection cap", Range{1, 1'000'000}},
      {"token_ttl", kServe, "--token-ttl", "COFFER_TOKEN_TTL", &Config::token_ttl_seconds,
       "Access token lifetime, seconds", Range{10, 86400}},
      {"token_key_rotation_days", kServe, "--token-key-rotation-days",
       "COFFER_TOKEN_KEY_ROTATION_DAYS", &Config::token_key_rotation_days,
       "Days after which a new key signs access tokens (the public keys are at "
       "/.well-known/jwks.json; tokens of the old key stay valid until they expire; 0: only "
       "when an administrator rotates it)",
       Range{0, 3660}},
      {"refresh_ttl", kServe, "--refresh-ttl", "COFFER_REFRESH_TTL", &Config::refresh_ttl_seconds,
       "Seconds a sign-in session lasts without being used", Range{60, int64_t{3660} * 86400}},
      {"refresh_grace", kServe, "--refresh-grace", "COFFER_REFRESH_GRACE",
       &Config::refresh_grace_seconds,
       "Seconds within which a just-used refresh token may be retried once by the client that "
       "used it, when the response with its successor was lost (0: any reuse ends the session)",
       Range{0, 300}},
      {"secure_cookies", kServe, "--secure-cookies", "COFFER_SECURE_COOKIES",
       &Config::secure_cookies,
       "Mark session cookies Secure (turn off only for plain-http development)"},
      {"default_quota_bytes", kServe, "--default-quota", "COFFER_DEFAULT_QUOTA",
       &Config::default_quota_bytes,
       "Storage quota in bytes for users without one of their own (0: unlimited)",
       Range{0, kLargeBytes}},
      {"keep_versions", kServe, "--keep-versions", "COFFER_KEEP_VERSIONS", &Config::keep_versions,
       "Older versions kept per file (0: all)", Range{0, 1'000'000}},
      {"version_retention_days", kServe, "--version-retention-days",
       "COFFER_VERSION_RETENTION_DAYS", &Config::version_retention_days,
       "Days older versions are kept (0: forever)", Range{0, kDays}},
      {"trash_retention_days", kServe, "--trash-retention-days", "COFFER_TRASH_RETENTION_DAYS",
       &Config::trash_retention_days, "Days deleted items stay in the trash (0: until emptied)",
       Range{0, kDays}},
      {"activity_retention_days", kServe, "--activity-retention-days",
       "COFFER_ACTIVITY_RETENTION_DAYS", &Config::activity_retention_days,
       "Days file activity is kept (0: forever)", Range{0, kDays}},
      {"usage_history_days", kServe, "--usage-history-days", "COFFER_USAGE_HISTORY_DAYS",
       &Config::usage_history_days, "Days of daily storage usage samples kept (0: forever)",
       Range{0, kDays}},
      {"dav_infinite_depth", kServe, "--dav-infinite-depth", "COFFER_DAV_INFINITE_DEPTH",
       &Config::dav_infinite_depth,
       "Allow WebDAV PROPFIND with Depth infinity (walks the whole tree)"},
      {"dav_password_login", kServe, "--dav-password-login", "COFFER_DAV_PASSWORD_LOGIN",
       &Config::dav_password_login,
       "Accept the account password over HTTP Basic on /dav/ (accounts without a second "
       "factor); API tokens always work"},
      {"metrics_public", kServe, "--metrics-public", "COFFER_METRICS_PUBLIC",
       &Config::metrics_public,
       "Serve /metrics to anybody; by default only to local scrapes (loopback, no forwarding "
       "headers) and to operators' and administrators' credentials"},
      {"mass_delete_threshold", kServe, "--mass-delete-threshold", "COFFER_MASS_DELETE_THRESHOLD",
       &Config::mass_delete_threshold,
       "Deletions by one client within a minute that raise an audit flag (0: off)",
       Range{0, 1'000'000}},
      {"sqlite_memory_mib", kServe, "--sqlite-memory-mib", "COFFER_SQLITE_MEMORY_MIB",
       &Config::sqlite_memory_mib,
       "MiB of memory all SQLite databases of the process may keep together (page caches, "
       "statements); past it SQLite frees cached pages first (0: no bound)",
       Range{0, 1'000'000}},
      {"upload_expiry", kServe, "--upload-expiry", "COFFER_UPLOAD_EXPIRY",
       &Config::upload_expiry_seconds,
       "Seconds an incomplete resumable upload is kept after its last data (7 times this "
       "after its creation at most)",
       Range{1, kLargeSeconds}},
      {"upload_max_size", kServe, "--upload-max-size", "COFFER_UPLOAD_MAX_SIZE",
       &Config::upload_max_size, "Largest resumable upload in bytes (Tus-Max-Size)",
       Range{1, kLargeBytes}},
      {"search_text_bytes", kServe, "--search-text-bytes", "COFFER_SEARCH_TEXT_BYTES",
       &Config::search_text_bytes, "Bytes of extracted text indexed per file for search",
       Range{1024, int64_t{64} << 20}},
      {"gc_interval", kServe, "--gc-interval", "COFFER_GC_INTERVAL", &Config::gc_interval_seconds,
       "Seconds between garbage collections (0: never)", Range{0, kLargeSeconds}},
      {"gc_grace", kServe, "--gc-grace", "COFFER_GC_GRACE", &Config::gc_grace_seconds,
       "Unreferenced chunks younger than this many seconds are kept", Range{0, kLargeSeconds}},
      {"scrub_rate", kServe, "--scrub-rate", "COFFER_SCRUB_RATE", &Config::scrub_rate,
       "Bytes per second the background scrubber re-reads and verifies stored chunks at (0: off)",
       Range{0, int64_t{1} << 40}},
      {"scrub_interval", kServe, "--scrub-interval", "COFFER_SCRUB_INTERVAL",
       &Config::scrub_interval_seconds,
       "Seconds from the start of one scrub pass to the start of the next, at least",
       Range{60, kLargeSeconds}},
      {"user_rate_limit", kServe, "--user-rate-limit", "COFFER_USER_RATE_LIMIT",
       &Config::user_rate_limit, "API requests per second for each signed-in user (0: no limit)",
       kRequestRate},
      {"user_rate_burst", kServe, "--user-rate-burst", "COFFER_USER_RATE_BURST",
       &Config::user_rate_burst, "API requests a signed-in user may send at once", kRequestBurst},
      {"ip_rate_limit", kServe, "--ip-rate-limit", "COFFER_IP_RATE_LIMIT", &Config::ip_rate_limit,
       "Anonymous or unauthenticated API requests per second for each client address (0: no "
       "limit)",
       kRequestRate},
      {"ip_rate_burst", kServe, "--ip-rate-burst", "COFFER_IP_RATE_BURST", &Config::ip_rate_burst,
       "Anonymous API requests a client address may send at once", kRequestBurst},
      {"auth_cache_seconds", kServe, "--auth-cache-seconds", "COFFER_AUTH_CACHE_SECONDS",
       &Config::auth_cache_seconds,
       "Seconds a successful credential check is reused without reading the database; "
       "revocations on this node apply at once, on other nodes within this bound (0: check the "
       "database on every request)",
       Range{0, 60}},
      {"cors_origins", kServe, "--cors-origin", "COFFER_CORS_ORIGINS", &Config::cors_origins,
       "Origins (scheme://host[:port], or *) whose pages may call the API (default: none, no "
       "CORS)"},
      {"job_workers", kServe, "--job-workers", "COFFER_JOB_WORKERS", &Config::job_workers,
       "Background jobs run at once (0: this node runs none)", Range{0, 64}},
      {"job_time_limit", kServe, "--job-time-limit", "COFFER_JOB_TIME_LIMIT",
       &Config::job_time_limit_seconds, "Seconds one attempt of a background job may run",
       Range{1, 86400}},
      {"job_max_attempts", kServe, "--job-max-attempts", "COFFER_JOB_MAX_ATTEMPTS",
       &Config::job_max_attempts, "Attempts before a background job is dead", Range{1, 100}},
      {"job_backoff", kServe, "--job-backoff", "COFFER_JOB_BACKOFF", &Config::job_backoff_seconds,
       "Seconds before a failed job's first retry (doubling each attempt)", Range{0, 86400}},
      {"thumbnail_max_pixels", kServe, "--thumbnail-max-pixels", "COFFER_THUMBNAIL_MAX_PIXELS",
       &Config::thumbnail_max_pixels,
       "Images declaring more pixels get no thumbnail (decompression bombs)",
       Range{1, kLargeSeconds}},
      {"allowed_types", kServe, "--allow-type", "COFFER_ALLOWED_TYPES", &Config::allowed_types,
       "Sniffed content types uploads may have (image/png, image/*) (default: any)"},
      {"denied_types", kServe, "--deny-type", "COFFER_DENIED_TYPES", &Config::denied_types,
       "Sniffed content types uploads may not have; wins over the allowed types"},
      {"max_upload_size", kServe, "--max-upload-size", "COFFER_MAX_UPLOAD_SIZE",
       &Config::max_upload_size, "Largest file in bytes, any type (0: no limit)",
       Range{0, kLargeBytes}},
      {"max_upload_size_by_type", kServe, "--max-upload-size-for", "COFFER_MAX_UPLOAD_SIZE_BY_TYPE",
       &Config::max_upload_size_by_type,
       "Largest file of some types: PATTERN=BYTES (image/*=5242880)"},
  };
}

Status invalid(std::string_view source, const Setting& setting, std::string_view value) {
  std::string message =
      std::string(source) + ": " + std::string(setting.key) + " must be " + expectation(setting);
  if (!value.empty()) message += ", not " + std::string(value);
  return Status(Errc::kInvalidArgument, std::move(message));
}

// The field of `setting` in `config` (a Config or a const Config) if it has type T, else null.
template <typename T, typename C>
auto field_of(const Setting& setting, C& config)
    -> decltype(&(config.*std::declval<T Config::*>())) {
  auto* member = std::get_if<T Config::*>(&setting.field);
  return member ? &(config.**member) : nullptr;
}

constexpr Kind kind_for(std::string Config::*) { return Kind::kString; }
constexpr Kind kind_for(std::vector<std::string> Config::*) { return Kind::kList; }
constexpr Kind kind_for(bool Config::*) { return Kind::kBool; }
constexpr Kind kind_for(int Config::*) { return Kind::kInteger; }
constexpr Kind kind_for(unsigned Config::*) { return Kind::kInteger; }
constexpr Kind kind_for(int64_t Config::*) { return Kind::kInteger; }
constexpr Kind kind_for(double Config::*) { return Kind::kNumber; }

// A whole number without a fraction ("100000"), any other in %g notation.
std::string number_text(double value) {
  if (std::trunc(value) == value && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = make_settings();
  return table;
}

const Setting* find_setting(Section section, std::string_view key) {
  for (const Setting& setting : settings()) {
    if (setting.section == section && setting.key == key) return &setting;
  }
  return nullptr;
}

Kind kind_of(const Setting& setting) {
  return std::visit([](auto member) { return kind_for(member); }, setting.field);
}

std::string expectation(const Setting& setting) {
  switch (kind_of(setting)) {
    case Kind::kString: {
      if (setting.choices.empty()) return "a string";
      std::string text = "one of ";
      for (char c : setting.choices) text += c == ',' ? std::string(", ") : std::string(1, c);
      return text;
    }
    case Kind::kList:
      return "a list of strings";
    case Kind::kBool:
      return "true or false";
    case Kind::kInteger:
    case Kind::kNumber: {
      std::string text = kind_of(setting) == Kind::kInteger ? "an integer" : "a number";
      if (setting.range) {
        text += " from " + std::to_string(setting.range->min) + " to " +
                std::to_string(setting.range->max);
      }
      return text;
    }
  }
  return "";
}

Status set_string(std::string_view source, const Setting& setting, std::string value,
                  Config& config) {
  const std::vector<std::string> choices = split_commas(setting.choices);
  if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end()) {
    return invalid(source, setting, value);
  }
  *field_of<std::string>(setting, config) = std::move(value);
  return Status::ok();
}

Status set_list(std::string_view, const Setting& setting, std::vector<std::string> values,
                Config& config) {
  *field_of<std::vector<std::string>>(setting, config) = std::move(values);
  return Status::ok();
}

Status set_bool(std::string_view, const Setting& setting, bool value, Config& config) {
  *field_of<bool>(setting, config) = value;
  return Status::ok();
}

Status set_integer(std::string_view source, const Setting& setting, int64_t value, Config& config) {
  if (setting.range && (value < setting.range->min || value > setting.range->max)) {
    return invalid(source, setting, std::to_string(value));
  }
  if (auto* field = field_of<int64_t>(setting, config)) *field = value;
  if (auto* field = field_of<int>(setting, config)) *field = static_cast<int>(value);
  if (auto* field = field_of<unsigned>(setting, config)) *field = static_cast<unsigned>(value);
  return Status::ok();
}

Status set_number(std::string_view source, const Setting& setting, double value, Config& config) {
  if (!std::isfinite(value) ||
      (setting.range && (value < static_cast<double>(setting.range->min) ||
                         value > static_cast<double>(setting.range->max)))) {
    return invalid(source, setting, number_text(value));
  }
  *field_of<double>(setting, config) = value;
  return Status::ok();
}

Status set_from_text(std::string_view source, const Setting& setting, std::string_view text,
                     Config& config) {
  switch (kind_of(setting)) {
    case Kind::kString:
      return set_string(source, setting, std::string(text), config);
    case Kind::kList:
      return set_list(source, setting, split_commas(text), config);
    case Kind::kBool: {
      std::string word = lower(text);
      if (word == "true" || word == "1" || word == "yes" || word == "on") {
        return set_bool(source, setting, true, config);
      }
      if (word == "false" || word == "0" || word == "no" || word == "off") {
        return set_bool(source, setting, false, config);
      }
      return invalid(source, setting, text);
    }
    case Kind::kInteger: {
      int64_t value = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc() || end != text.data() + text.size()) {
        return invalid(source, setting, text);
      }
      return set_integer(source, setting, value, config);
    }
    case Kind::kNumber: {
      std::string copy(text);
      char* end = nullptr;
      double value = std::strtod(copy.c_str(), &end);
      if (copy.empty() || end != copy.c_str() + copy.size()) return invalid(source, setting, text);
      return set_number(source, setting, value, config);
    }
  }
  return invalid(source, setting, text);
}

std::string value_text(const Setting& setting, const Config& config) {
  if (auto* field = field_of<std::string>(setting, config)) return *field;
  if (auto* field = field_of<bool>(setting, config)) return *field ? "true" : "false";
  if (auto* field = field_of<int>(setting, config)) return std::to_string(*field);
  if (auto* field = field_of<unsigned>(setting, config)) return std::to_string(*field);
  if (auto* field = field_of<int64_t>(setting, config)) return std::to_string(*field);
  if (auto* field = field_of<double>(setting, config)) return number_text(*field);
  std::string text;
  for (const std::string& item : *field_of<std::vector<std::string>>(setting, config)) {
    if (!text.empty()) text += ",";
    text += item;
  }
  return text;
}

}  // namespace coffer::app
