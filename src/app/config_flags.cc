#include "app/config_flags.h"

namespace coffer::app {
namespace {

// The value's shape as --help shows it: "INT in [1 - 64]", "{debug,info,warn,error}".
std::string type_name(const Setting& setting) {
  std::string range;
  if (setting.range) {
    range = " in [" + std::to_string(setting.range->min) + " - " +
            std::to_string(setting.range->max) + "]";
  }
  switch (kind_of(setting)) {
    case Kind::kString:
      if (setting.choices.empty()) return "TEXT";
      return "{" + std::string(setting.choices) + "}";
    case Kind::kList:
      return "TEXT ...";
    case Kind::kBool:
      return "BOOL";
    case Kind::kInteger:
      return "INT" + range;
    case Kind::kNumber:
      return "NUMBER" + range;
  }
  return "TEXT";
}

}  // namespace

void SettingFlags::add(CLI::App& app, CLI::App& serve, const Config& current) {
  for (const Setting& setting : settings()) {
    if (setting.flag.empty()) continue;
    CLI::App& command = setting.section == Section::kServe ? serve : app;
    Flag& flag = flags_.emplace_back(Flag{&setting});
    std::string help(setting.help);
    if (!setting.env.empty()) help += " [env " + std::string(setting.env) + "]";
    if (kind_of(setting) == Kind::kList) {
      flag.option = command.add_option(std::string(setting.flag), flag.values,
                                       help + "; repeat or separate with commas");
      flag.option->delimiter(',');
    } else {
      flag.option = command.add_option(std::string(setting.flag), flag.text, help);
    }
    flag.option->type_name(type_name(setting));
    const std::string shown = value_text(setting, current);
    if (!setting.secret && !shown.empty()) flag.option->default_str(shown);
  }
}

Status SettingFlags::apply(Config& config) const {
  for (const Flag& flag : flags_) {
    if (flag.option->count() == 0) continue;
    if (kind_of(*flag.setting) == Kind::kList) {
      COFFER_RETURN_IF_ERROR(set_list(flag.setting->flag, *flag.setting, flag.values, config));
    } else {
      COFFER_RETURN_IF_ERROR(set_from_text(flag.setting->flag, *flag.setting, flag.text, config));
    }
  }
  return Status::ok();
}

}  // namespace coffer::app
