#include "core/account.h"

#include <array>
#include <utility>

namespace coffer {
namespace {

constexpr std::array<std::pair<Scope, std::string_view>, 3> kScopeNames{{
    {kScopeFilesRead, "files:read"},
    {kScopeFilesWrite, "files:write"},
    {kScopeAdmin, "admin"},
}};

}  // namespace

std::string scopes_text(uint32_t scopes) {
  std::string out;
  for (const auto& [bit, name] : kScopeNames) {
    if ((scopes & bit) == 0) continue;
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

std::optional<uint32_t> parse_scope(std::string_view name) {
  for (const auto& [bit, scope_name] : kScopeNames) {
    if (name == scope_name) return bit;
  }
  return std::nullopt;
}

uint32_t scopes_from_text(std::string_view text) {
  uint32_t scopes = 0;
  while (!text.empty()) {
    const size_t end = text.find(' ');
    scopes |= parse_scope(text.substr(0, end)).value_or(0);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return scopes;
}

}  // namespace coffer
