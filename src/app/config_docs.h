#pragma once
// docs/configuration.md, generated from the settings table (settings.h) by
// `coffer config docs`; a test compares the file with the output.

#include <string>

namespace coffer::app {

// The whole Markdown document: the sources and their precedence, then one table per section.
std::string configuration_markdown();

}  // namespace coffer::app
