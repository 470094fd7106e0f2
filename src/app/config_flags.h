#pragma once
// Command-line flags: the highest-precedence source. One flag per setting of the table
// (settings.h), read as text and checked by the table like the file and the environment.

#include <deque>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/config.h"
#include "app/settings.h"
#include "core/status.h"

namespace coffer::app {

class SettingFlags {
 public:
  SettingFlags() = default;
  SettingFlags(const SettingFlags&) = delete;
  SettingFlags& operator=(const SettingFlags&) = delete;

  // Adds the global settings' flags to `app` and serve's to `serve`. --help shows the values
  // of `current` (the defaults, the file's and the environment's) but never a secret's.
  // REQUIRES: this object outlives the parse of `app`.
  void add(CLI::App& app, CLI::App& serve, const Config& current);

  // After a successful parse: sets the settings whose flags were given. Errors:
  // kInvalidArgument naming the flag and the setting, for a value the table refuses.
  Status apply(Config& config) const;

 private:
  struct Flag {
    const Setting* setting;
    CLI::Option* option = nullptr;
    std::string text;                 // a single value
    std::vector<std::string> values;  // a list: repeated, or separated by commas
  };
  std::deque<Flag> flags_;  // CLI11 writes into `text` and `values`: their addresses are stable
};

}  // namespace coffer::app
