#pragma once
// The one table of settings: every Config field a user can set, with its file key, flag,
// environment variable, allowed values and help. The command line (config_flags.h), the
// environment (config_env.h), the TOML file (config_file.h) and docs/configuration.md
// (config_docs.h) are all driven by it, so a setting is declared once: adding one is a Config
// field (with its default, in config.h) and one row in settings.cc.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "app/config.h"
#include "core/status.h"

namespace coffer::app {

// Where a setting lives: top-level keys and flags every subcommand takes, or keys under
// [serve] and flags of `coffer serve`.
enum class Section { kGlobal, kServe };

// Inclusive bounds of a number. Every integer setting has one, and it fits the field's type.
struct Range {
  int64_t min;
  int64_t max;
};

using Field =
    std::variant<std::string Config::*, std::vector<std::string> Config::*, bool Config::*,
                 int Config::*, unsigned Config::*, int64_t Config::*, double Config::*>;

struct Setting {
  std::string_view key;  // the file's key, and the setting's name in errors
  Section section;
  std::string_view flag;  // "--io-threads"; empty: the file only
  std::string_view env;   // "COFFER_IO_THREADS"; empty: none
  Field field;            // the type, and the default (a default-constructed Config's value)
  std::string_view help;
  std::optional<Range> range = std::nullopt;  // numbers
  std::string_view choices = {};  // strings: the values allowed, separated by commas; empty: any
  bool secret = false;            // may hold a password: never shown
};

// Every setting, in the order of --help and docs/configuration.md.
const std::vector<Setting>& settings();

// The setting with this key in this section, or null.
const Setting* find_setting(Section section, std::string_view key);

// The shape of a setting's value, from its field's type.
enum class Kind { kString, kList, kBool, kInteger, kNumber };
Kind kind_of(const Setting& setting);

// What a value must be: "an integer from 1 to 64", "one of debug, info, warn, error".
std::string expectation(const Setting& setting);

// Set the setting's field in `config` after checking the value against the table. `source`
// names where the value came from (a flag, a variable, a file's path) and starts every error:
// kInvalidArgument "COFFER_IO_THREADS: io_threads must be an integer from 1 to 64, not 0".
// Each setter requires a setting of the matching kind.
Status set_string(std::string_view source, const Setting& setting, std::string value,
                  Config& config);
Status set_list(std::string_view source, const Setting& setting, std::vector<std::string> values,
                Config& config);
Status set_bool(std::string_view source, const Setting& setting, bool value, Config& config);
Status set_integer(std::string_view source, const Setting& setting, int64_t value, Config& config);
Status set_number(std::string_view source, const Setting& setting, double value, Config& config);

// Parses text (a flag's or a variable's value) as the setting's kind, then sets it: integers in
// decimal, booleans as true/false, 1/0, yes/no, on/off, lists separated by commas.
Status set_from_text(std::string_view source, const Setting& setting, std::string_view text,
                     Config& config);

// The setting's value in `config` as text: "64", "true", "a,b"; empty for an empty string or
// list.
std::string value_text(const Setting& setting, const Config& config);

}  // namespace coffer::app
