#include "app/settings.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <limits>
#include <set>

#include "app/config_env.h"
#include "app/config_file.h"

namespace coffer::app {
namespace {

const Setting& setting(Section section, std::string_view key) {
  const Setting* found = find_setting(section, key);
  EXPECT_NE(found, nullptr) << key;
  return *found;
}

// The inclusive bounds of the field's own type, for an integer setting.
Range type_bounds(const Setting& s) {
  if (std::holds_alternative<int Config::*>(s.field)) {
    return {std::numeric_limits<int>::min(), std::numeric_limits<int>::max()};
  }
  if (std::holds_alternative<unsigned Config::*>(s.field)) {
    return {0, std::numeric_limits<unsigned>::max()};
  }
  return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
}

TEST(SettingsTable, NamesAreUniqueAndWellFormed) {
  std::set<std::string_view> keys, flags, envs;
  for (const Setting& s : settings()) {
    EXPECT_TRUE(keys.insert(s.key).second) << s.key;
    EXPECT_FALSE(s.help.empty()) << s.key;
    if (!s.flag.empty()) {
      EXPECT_TRUE(flags.insert(s.flag).second) << s.flag;
      EXPECT_EQ(s.flag.substr(0, 2), "--") << s.key;
    }
    if (!s.env.empty()) {
      EXPECT_TRUE(envs.insert(s.env).second) << s.env;
      EXPECT_EQ(s.env.substr(0, 7), "COFFER_") << s.key;
    }
  }
}

TEST(SettingsTable, EveryNumberHasARangeItsFieldHolds) {
  for (const Setting& s : settings()) {
    const Kind kind = kind_of(s);
    if (kind != Kind::kInteger && kind != Kind::kNumber) {
      EXPECT_FALSE(s.range) << s.key;
      continue;
    }
    ASSERT_TRUE(s.range) << s.key;
    EXPECT_LE(s.range->min, s.range->max) << s.key;
    if (kind == Kind::kInteger) {
      EXPECT_GE(s.range->min, type_bounds(s).min) << s.key;
      EXPECT_LE(s.range->max, type_bounds(s).max) << s.key;
    }
  }
}

TEST(SettingsTable, EveryDefaultIsAcceptedByItsOwnRules) {
  const Config defaults;
  for (const Setting& s : settings()) {
    Config config;
    EXPECT_TRUE(set_from_text("default", s, value_text(s, defaults), config).is_ok()) << s.key;
    EXPECT_EQ(value_text(s, config), value_text(s, defaults)) << s.key;
  }
}

TEST(ConfigDerived, HandlerThreadsFollowTheEnginesUnlessSet) {
  Config local;
  ASSERT_EQ(local.worker_threads, 0u);  // the default: derived
  EXPECT_GE(local.handler_threads(), 16u);
  EXPECT_LE(local.handler_threads(), 128u);
  EXPECT_EQ(local.read_connections(), static_cast<int>(local.handler_threads() + local.io_threads));

  Config s3;
  s3.storage_url = "s3://bucket/prefix";
  EXPECT_GE(s3.handler_threads(), 64u);
  Config postgres;
  postgres.database_url = "postgresql://coffer@localhost/coffer";
  EXPECT_GE(postgres.handler_threads(), 64u);

  Config set;
  set.worker_threads = 9;
  set.database_url = "postgresql://coffer@localhost/coffer";
  EXPECT_EQ(set.handler_threads(), 9u);
}

TEST(SettingsText, OutOfRangeIsRefusedNamingSourceAndSetting) {
  Config config;
  Status status =
      set_from_text("--io-threads", setting(Section::kServe, "io_threads"), "0", config);
  EXPECT_EQ(status.code(), Errc::kInvalidArgument);
  EXPECT_EQ(status.message(), "--io-threads: io_threads must be an integer from 1 to 64, not 0");
  EXPECT_EQ(config.io_threads, Config{}.io_threads);
  status = set_from_text("X", setting(Section::kServe, "auth_cache_seconds"), "60.5", config);
  EXPECT_EQ(status.message(), "X: auth_cache_seconds must be a number from 0 to 60, not 60.5");
}

TEST(SettingsText, MalformedValuesAreRefused) {
  Config config;
  for (const char* text : {"", "4x", "0x10", " 4", "4.0", "99999999999999999999"}) {
    EXPECT_FALSE(set_from_text("f", setting(Section::kServe, "io_threads"), text, config).is_ok())
        << text;
  }
  EXPECT_FALSE(
      set_from_text("f", setting(Section::kServe, "user_rate_limit"), "nan", config).is_ok());
  EXPECT_FALSE(
      set_from_text("f", setting(Section::kServe, "secure_cookies"), "maybe", config).is_ok());
  EXPECT_FALSE(
      set_from_text("f", setting(Section::kGlobal, "log_level"), "verbose", config).is_ok());
}

TEST(SettingsText, ValuesOfEveryKindAreSet) {
  Config config;
  ASSERT_TRUE(set_from_text("f", setting(Section::kServe, "io_threads"), "8", config).is_ok());
  EXPECT_EQ(config.io_threads, 8u);
  ASSERT_TRUE(
      set_from_text("f", setting(Section::kServe, "job_max_attempts"), "3", config).is_ok());
  EXPECT_EQ(config.job_max_attempts, 3);
  ASSERT_TRUE(
      set_from_text("f", setting(Section::kServe, "upload_max_size"), "1099511627777", config)
          .is_ok());
  EXPECT_EQ(config.upload_max_size, 1099511627777);
  ASSERT_TRUE(set_from_text("f", setting(Section::kServe, "ip_rate_limit"), "2.5", config).is_ok());
  EXPECT_EQ(config.ip_rate_limit, 2.5);
  for (const char* off : {"false", "0", "no", "OFF"}) {
    config.secure_cookies = true;
    ASSERT_TRUE(
        set_from_text("f", setting(Section::kServe, "secure_cookies"), off, config).is_ok());
    EXPECT_FALSE(config.secure_cookies) << off;
  }
  ASSERT_TRUE(set_from_text("f", setting(Section::kGlobal, "log_level"), "warn", config).is_ok());
  EXPECT_EQ(config.log_level, "warn");
  ASSERT_TRUE(set_from_text("f", setting(Section::kServe, "cors_origins"),
                            "https://a.example,https://b.example,", config)
                  .is_ok());
  EXPECT_EQ(config.cors_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

// A temporary TOML file, removed at the end of the test.
class ConfigSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/coffer-settings-XXXXXX";
    int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = name;
  }
  void TearDown() override {
    std::remove(path_.c_str());
    unsetenv("COFFER_IO_THREADS");
  }
  void write(const std::string& text) { std::ofstream(path_) << text; }

  std::string path_;
};

TEST_F(ConfigSourcesTest, FileValueOutOfRangeIsRefusedNamingTheSetting) {
  write("[serve]\nio_threads = 65\n");
  Config config;
  Status status = load_config_file(path_, config);
  EXPECT_EQ(status.code(), Errc::kInvalidArgument);
  EXPECT_EQ(status.message(), path_ + ": io_threads must be an integer from 1 to 64, not 65");
}

TEST_F(ConfigSourcesTest, FileValuesOfTheWrongTypeAndUnknownKeysAreRefused) {
  Config config;
  write("[serve]\nworker_threads = \"many\"\n");
  EXPECT_EQ(load_config_file(path_, config).message(),
            path_ + ": worker_threads must be an integer from 0 to 1024");
  write("[serve]\ncors_origins = [\"a\", 1]\n");
  EXPECT_EQ(load_config_file(path_, config).message(),
            path_ + ": cors_origins must be an array of strings");
  write("io_threads = 4\n");  // a serve setting at the top level
  EXPECT_EQ(load_config_file(path_, config).message(), path_ + ": unknown setting io_threads");
  write("serve = 1\n");
  EXPECT_EQ(load_config_file(path_, config).message(), path_ + ": serve must be a table ([serve])");
}

TEST_F(ConfigSourcesTest, FileSetsEverySection) {
  write(
      "data = \"/srv/coffer\"\n[serve]\nio_threads = 4\nuser_rate_limit = 7\n"
      "allowed_types = [\"image/png\"]\nsecure_cookies = false\n");
  Config config;
  ASSERT_TRUE(load_config_file(path_, config).is_ok());
  EXPECT_EQ(config.data_dir, "/srv/coffer");
  EXPECT_EQ(config.io_threads, 4u);
  EXPECT_EQ(config.user_rate_limit, 7.0);
  EXPECT_EQ(config.allowed_types, std::vector<std::string>{"image/png"});
  EXPECT_FALSE(config.secure_cookies);
}

TEST_F(ConfigSourcesTest, EnvironmentOverridesTheFile) {
  write("[serve]\nio_threads = 4\nworker_threads = 9\n");
  setenv("COFFER_IO_THREADS", "6", 1);
  Config config;
  ASSERT_TRUE(load_config_file(path_, config).is_ok());
  ASSERT_TRUE(load_environment(config).is_ok());
  EXPECT_EQ(config.io_threads, 6u);
  EXPECT_EQ(config.worker_threads, 9u);
}

TEST_F(ConfigSourcesTest, EnvironmentValueOutOfRangeIsRefusedNamingTheVariable) {
  setenv("COFFER_IO_THREADS", "65", 1);
  Config config;
  Status status = load_environment(config);
  EXPECT_EQ(status.code(), Errc::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "COFFER_IO_THREADS: io_threads must be an integer from 1 to 64, not 65");
  setenv("COFFER_IO_THREADS", "", 1);  // empty: unset
  EXPECT_TRUE(load_environment(config).is_ok());
}

}  // namespace
}  // namespace coffer::app
