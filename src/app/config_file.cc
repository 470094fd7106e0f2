#include "app/config_file.h"

#include <toml++/toml.h>
#include <cstdlib>
#include <cstring>

#include "app/settings.h"

namespace coffer::app {
namespace {

Status bad(const std::string& path, const std::string& why) {
  return Status(Errc::kInvalidArgument, path + ": " + why);
}

// Sets `setting` from the file's value `node`, which must have the setting's type.
Status read_setting(const std::string& path, const Setting& setting, const toml::node& node,
                    Config& config) {
  const Kind kind = kind_of(setting);
  if (kind == Kind::kString && node.is_string()) {
    return set_string(path, setting, *node.value<std::string>(), config);
  }
  if (kind == Kind::kBool && node.is_boolean()) {
    return set_bool(path, setting, *node.value<bool>(), config);
  }
  if (kind == Kind::kInteger && node.is_integer()) {
    return set_integer(path, setting, *node.value<int64_t>(), config);
  }
  if (kind == Kind::kNumber && (node.is_integer() || node.is_floating_point())) {
    return set_number(path, setting, *node.value<double>(), config);  // an integer converts
  }
  if (kind == Kind::kList && node.is_array()) {
    std::vector<std::string> values;
    for (const toml::node& element : *node.as_array()) {
      if (!element.is_string()) break;
      values.push_back(*element.value<std::string>());
    }
    if (values.size() == node.as_array()->size()) {
      return set_list(path, setting, std::move(values), config);
    }
  }
  const std::string what = kind == Kind::kList ? "an array of strings" : expectation(setting);
  return bad(path, std::string(setting.key) + " must be " + what);
}

// Reads the settings of `section` from `table`; any other key is an error (but for the
// [serve] table itself at the top level).
Status read_section(const std::string& path, const toml::table& table, Section section,
                    std::string_view prefix, Config& config) {
  for (const auto& [key, node] : table) {
    if (section == Section::kGlobal && key.str() == "serve") continue;
    const Setting* setting = find_setting(section, key.str());
    if (!setting) {
      return bad(path, "unknown setting " + std::string(prefix) + std::string(key.str()));
    }
    COFFER_RETURN_IF_ERROR(read_setting(path, *setting, node, config));
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
  COFFER_RETURN_IF_ERROR(read_section(path, root, Section::kGlobal, "", config));
  if (const toml::node* serve = root.get("serve")) {
    if (!serve->is_table()) return bad(path, "serve must be a table ([serve])");
    COFFER_RETURN_IF_ERROR(
        read_section(path, *serve->as_table(), Section::kServe, "serve.", config));
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
