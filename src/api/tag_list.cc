#include "api/tag_list.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/name_rules.h"

namespace coffer::api {
namespace {

constexpr size_t kMaxTags = 100;
constexpr size_t kMaxTagBytes = 64;

}  // namespace

Result<std::vector<std::string>> parse_tags(const boost::json::value& tags) {
  if (!tags.is_array() || tags.as_array().size() > kMaxTags) {
    return Status(Errc::kInvalidArgument, "tags must be an array of at most 100 strings");
  }
  std::vector<std::string> out;
  for (const boost::json::value& tag : tags.as_array()) {
    if (!tag.is_string()) return Status(Errc::kInvalidArgument, "tags must be strings");
    auto normalized = normalize_name(tag.as_string());
    if (!normalized.is_ok() || normalized->size() > kMaxTagBytes) {
      return Status(Errc::kInvalidArgument,
                    "a tag must be 1 to 64 bytes of valid UTF-8 without control characters or /");
    }
    out.push_back(std::move(*normalized));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace coffer::api
