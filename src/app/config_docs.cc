#include "app/config_docs.h"

#include "app/config.h"
#include "app/settings.h"

namespace coffer::app {
namespace {

constexpr const char* kIntroduction = R"(# Configuration

<!-- Generated from the settings table (src/app/settings.cc) by `coffer config docs`;
edit the table, then run `build/coffer config docs > docs/configuration.md`. -->

Every setting has a default, so `coffer serve` runs with none. Each can be given in up to
three places; the first one that has it wins:

1. a flag on the command line: `--io-threads 4`;
2. an environment variable: `COFFER_IO_THREADS=4` (an empty variable counts as unset);
3. the TOML file named by `--config FILE` or `COFFER_CONFIG`: `io_threads = 4` under
   `[serve]`.

Every source is checked against the same table below: a value out of range, of the wrong
type or not among a setting's choices, and an unknown key in the file, stop coffer with an
error that names the setting, never a silent default. Booleans are `true` or `false` (in
flags and variables also `1`/`0`, `yes`/`no`, `on`/`off`). A list is an array of strings in
the file; a flag can be repeated or take several values separated by commas, and a variable
separates them with commas. A flag or variable replaces the file's whole list.

The S3 credentials `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, when
set, take precedence over the file's `s3_access_key_id` and `s3_secret_access_key`.

```toml
data = "/var/lib/coffer"
[serve]
io_threads = 4
cors_origins = ["https://files.example.org"]
```
)";

// Text for a table cell: a `|` would end the cell.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string code(std::string_view text) {
  return text.empty() ? "" : "`" + std::string(text) + "`";
}

std::string allowed_values(const Setting& setting) {
  switch (kind_of(setting)) {
    case Kind::kString:
      return setting.choices.empty() ? "text" : cell(expectation(setting));
    case Kind::kList:
      return "list of text";
    default:
      return cell(expectation(setting));
  }
}

std::string section_table(Section section) {
  const Config defaults;
  std::string text =
      "| key | flag | environment | default | value | meaning |\n"
      "| --- | --- | --- | --- | --- | --- |\n";
  for (const Setting& setting : settings()) {
    if (setting.section != section) continue;
    const std::string value = value_text(setting, defaults);
    text += "| " + code(setting.key) + " | " + code(setting.flag) + " | " + code(setting.env) +
            " | " + (value.empty() ? "empty" : code(cell(value))) + " | " +
            allowed_values(setting) + " | " + cell(setting.help) + " |\n";
  }
  return text;
}

}  // namespace

std::string configuration_markdown() {
  return std::string(kIntroduction) +
         "\n## Global settings\n\n"
         "Top-level keys of the file; every subcommand takes their flags.\n\n" +
         section_table(Section::kGlobal) +
         "\n## Server settings\n\n"
         "Keys under `[serve]` in the file; flags of `coffer serve`.\n\n" +
         section_table(Section::kServe);
}

}  // namespace coffer::app
