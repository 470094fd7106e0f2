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

}  // namespace coffer
