#include "app/config_file.h"

#include <toml++/toml.h>
#include <cstdlib>
#include <cstring>
#include <set>

namespace coffer::app {
namespace {

Status bad(const std::string& path, const std::string& why) {
  return Status(Errc::kInvalidArgument, path + ": " + why);
}

template <typename T>
Status read_int(const toml::table& table, const char* key, T& out, int64_t min, int64_t max,
                const std::string& path) {
  const toml::node* node = table.get(key);
  if (!node) return Status::ok();
  auto value = node->value<int64_t>();
  if (!node->is_integer() || !value || *value < min || *value > max) {
    return bad(path, std::string(key) + " must be an integer from " + std::to_string(min) + " to " +
                         std::to_string(max));
  }
  out = static_cast<T>(*value);
  return Status::ok();
}

Status read_number(const toml::table& table, const char* key, double& out, double min, double max,
                   const std::string& path) {
  const toml::node* node = table.get(key);
  if (!node) return Status::ok();
  auto value = node->value<double>();  // an integer converts
  if (!(node->is_floating_point() || node->is_integer()) || !value || *value < min ||
      *value > max) {
    return bad(path, std::string(key) + " must be a number from " + std::to_string(min) + " to " +
                         std::to_string(max));
  }
  out = *value;
  return Status::ok();
}

Status read_string_list(const toml::table& table, const char* key, std::vector<std::string>& out,
                        const std::string& path) {
  const toml::node* node = table.get(key);
  if (!node) return Status::ok();
  const toml::array* array = node->as_array();
  if (!array) return bad(path, std::string(key) + " must be an array of strings");
  std::vector<std::string> values;
  for (const toml::node& element : *array) {
    if (!element.is_string()) return bad(path, std::string(key) + " must be an array of strings");
    values.push_back(*element.value<std::string>());
  }
  out = std::move(values);
  return Status::ok();
}

Status read_string(const toml::table& table, const char* key, std::string& out,
                   const std::string& path) {
  const toml::node* node = table.get(key);
  if (!node) return Status::ok();
  if (!node->is_string()) return bad(path, std::string(key) + " must be a string");
  out = *node->value<std::string>();
  return Status::ok();
}

Status read_bool(const toml::table& table, const char* key, bool& out, const std::string& path) {
  const toml::node* node = table.get(key);
  if (!node) return Status::ok();
  if (!node->is_boolean()) return bad(path, std::string(key) + " must be true or false");
  out = *node->value<bool>();
  return Status::ok();
}

Status reject_unknown(const toml::table& table, const std::set<std::string>& known,
                      const std::string& where, const std::string& path) {
  for (const auto& [key, value] : table) {
    if (!known.contains(std::string(key.str()))) {
      return bad(path, "unknown setting " + where + std::string(key.str()));
    }
  }
  return Status::ok();
}

}  // namespace

Status load_config_file(const std::string& path, Config& config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return bad(path,
               std::string(e.description()) + " at line " + std::to_string(e.source().begin.line));
  }
  COFFER_RETURN_IF_ERROR(
      reject_unknown(root,
                     {"data", "log_level", "serve", "database_url", "migration_database_url",
                      "storage_url", "s3_access_key_id", "s3_secret_access_key", "secret_key_file"},
                     "", path));
  COFFER_RETURN_IF_ERROR(read_string(root, "data", config.data_dir, path));
  COFFER_RETURN_IF_ERROR(read_string(root, "database_url", config.database_url, path));
  COFFER_RETURN_IF_ERROR(
      read_string(root, "migration_database_url", config.migration_database_url, path));
  COFFER_RETURN_IF_ERROR(read_string(root, "storage_url", config.storage_url, path));
  COFFER_RETURN_IF_ERROR(read_string(root, "secret_key_file", config.secret_key_file, path));
  COFFER_RETURN_IF_ERROR(read_string(root, "s3_access_key_id", config.s3_access_key_id, path));
  COFFER_RETURN_IF_ERROR(
      read_string(root, "s3_secret_access_key", config.s3_secret_access_key, path));
  COFFER_RETURN_IF_ERROR(read_string(root, "log_level", config.log_level, path));
  if (const toml::node* serve = root.get("serve")) {
    if (!serve->is_table()) return bad(path, "serve must be a table ([serve])");
    const toml::table& s = *serve->as_table();
    COFFER_RETURN_IF_ERROR(reject_unknown(s,
                                          {"listen",
                                           "io_threads",
                                           "worker_threads",
                                           "max_connections",
                                           "token_ttl",
                                           "refresh_ttl",
                                           "refresh_grace",
                                           "secure_cookies",
                                           "gc_interval",
                                           "gc_grace",
                                           "user_rate_limit",
                                           "user_rate_burst",
                                           "ip_rate_limit",
                                           "ip_rate_burst",
                                           "auth_cache_seconds",
                                           "cors_origins",
                                           "trash_retention_days",
                                           "activity_retention_days",
                                           "usage_history_days",
                                           "default_quota_bytes",
                                           "mass_delete_threshold",
                                           "keep_versions",
                                           "version_retention_days",
                                           "upload_expiry",
                                           "upload_max_size",
                                           "dav_infinite_depth",
                                           "dav_password_login",
                                           "job_workers",
                                           "job_time_limit",
                                           "job_max_attempts",
                                           "job_backoff",
                                           "thumbnail_max_pixels",
                                           "allowed_types",
                                           "denied_types",
                                           "max_upload_size",
                                           "max_upload_size_by_type",
                                           "search_text_bytes"},
                                          "serve.", path));
    COFFER_RETURN_IF_ERROR(read_string(s, "listen", config.listen, path));
    COFFER_RETURN_IF_ERROR(read_int(s, "io_threads", config.io_threads, 1, 64, path));
    COFFER_RETURN_IF_ERROR(read_int(s, "worker_threads", config.worker_threads, 1, 1024, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "max_connections", config.max_connections, 1, 1000000, path));
    COFFER_RETURN_IF_ERROR(read_int(s, "token_ttl", config.token_ttl_seconds, 10, 86400, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "refresh_ttl", config.refresh_ttl_seconds, 60, int64_t{3660} * 86400, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "refresh_grace", config.refresh_grace_seconds, 0, 300, path));
    COFFER_RETURN_IF_ERROR(read_bool(s, "secure_cookies", config.secure_cookies, path));
    COFFER_RETURN_IF_ERROR(read_bool(s, "dav_infinite_depth", config.dav_infinite_depth, path));
    COFFER_RETURN_IF_ERROR(read_bool(s, "dav_password_login", config.dav_password_login, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "gc_interval", config.gc_interval_seconds, 0, int64_t{1} << 40, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "gc_grace", config.gc_grace_seconds, 0, int64_t{1} << 40, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "default_quota_bytes", config.default_quota_bytes, 0, int64_t{1} << 62, path));
    COFFER_RETURN_IF_ERROR(read_int(s, "keep_versions", config.keep_versions, 0, 1000000, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "version_retention_days", config.version_retention_days, 0, 36500, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "trash_retention_days", config.trash_retention_days, 0, 36500, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "activity_retention_days", config.activity_retention_days, 0, 36500, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "usage_history_days", config.usage_history_days, 0, 36500, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "mass_delete_threshold", config.mass_delete_threshold, 0, 1000000, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "search_text_bytes", config.search_text_bytes, 1024, int64_t{64} << 20, path));
    COFFER_RETURN_IF_ERROR(
        read_number(s, "user_rate_limit", config.user_rate_limit, 0, kMaxRequestRate, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "user_rate_burst", config.user_rate_burst, 1, kMaxRequestBurst, path));
    COFFER_RETURN_IF_ERROR(
        read_number(s, "ip_rate_limit", config.ip_rate_limit, 0, kMaxRequestRate, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "ip_rate_burst", config.ip_rate_burst, 1, kMaxRequestBurst, path));
    COFFER_RETURN_IF_ERROR(
        read_number(s, "auth_cache_seconds", config.auth_cache_seconds, 0, 60, path));
    COFFER_RETURN_IF_ERROR(read_string_list(s, "cors_origins", config.cors_origins, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "upload_expiry", config.upload_expiry_seconds, 1, int64_t{1} << 40, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "upload_max_size", config.upload_max_size, 1, int64_t{1} << 62, path));
    COFFER_RETURN_IF_ERROR(read_int(s, "job_workers", config.job_workers, 0, 64, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "job_time_limit", config.job_time_limit_seconds, 1, 86400, path));
    COFFER_RETURN_IF_ERROR(read_int(s, "job_max_attempts", config.job_max_attempts, 1, 100, path));
    COFFER_RETURN_IF_ERROR(read_int(s, "job_backoff", config.job_backoff_seconds, 0, 86400, path));
    COFFER_RETURN_IF_ERROR(read_int(s, "thumbnail_max_pixels", config.thumbnail_max_pixels, 1,
                                    int64_t{1} << 40, path));
    COFFER_RETURN_IF_ERROR(read_string_list(s, "allowed_types", config.allowed_types, path));
    COFFER_RETURN_IF_ERROR(read_string_list(s, "denied_types", config.denied_types, path));
    COFFER_RETURN_IF_ERROR(
        read_int(s, "max_upload_size", config.max_upload_size, 0, int64_t{1} << 62, path));
    COFFER_RETURN_IF_ERROR(
        read_string_list(s, "max_upload_size_by_type", config.max_upload_size_by_type, path));
  }
  return Status::ok();
}

std::string find_config_path(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) return argv[i + 1];
    if (std::strncmp(argv[i], "--config=", 9) == 0) return argv[i] + 9;
  }
  const char* env = std::getenv("COFFER_CONFIG");
  return env ? env : "";
}

}  // namespace coffer::app
