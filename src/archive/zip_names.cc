#include "archive/zip_names.h"

#include <vector>

#include "core/name_rules.h"

namespace coffer::archive {
namespace {

constexpr size_t kMaxNameBytes = 0xFFFF;

// The path's components, made safe one by one.
std::vector<std::string> safe_components(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string part(path.substr(start, end - start));
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") part = "_";
    for (char& c : part) {
      auto u = static_cast<unsigned char>(c);
      if (c == '\\' || u < 0x20 || u == 0x7F) c = '_';
    }
    parts.push_back(std::move(part));
  }
  return parts;
}

}  // namespace

std::string ZipNamer::with_suffix(const std::string& path, bool is_folder, int n) const {
  const size_t slash = path.rfind('/');
  const size_t base = slash == std::string::npos ? 0 : slash + 1;
  return path.substr(0, base) + numbered_name(std::string_view(path).substr(base), n, !is_folder);
}

Result<std::string> ZipNamer::assign(std::string_view path, bool is_folder) {
  if (!is_valid_utf8(path)) return Status(Errc::kInvalidName, "archive path is not valid UTF-8");
  std::vector<std::string> parts = safe_components(path);
  if (parts.empty()) return Status(Errc::kInvalidName, "archive path is empty");

  std::string given;
  for (const auto& part : parts) given += (given.empty() ? "" : "/") + part;

  // Under a renamed folder: the deepest renamed ancestor decides.
  std::string candidate = given;
  for (size_t cut = given.rfind('/'); cut != std::string::npos && cut > 0;
       cut = given.rfind('/', cut - 1)) {
    auto it = renamed_folders_.find(given.substr(0, cut));
    if (it != renamed_folders_.end()) {
      candidate = it->second + given.substr(cut);
      break;
    }
  }

  std::string stored = candidate;
  for (int n = 2; taken_.count(stored) != 0; ++n) stored = with_suffix(candidate, is_folder, n);
  if (stored.size() + (is_folder ? 1 : 0) > kMaxNameBytes) {
    return Status(Errc::kInvalidName, "archive path is longer than 65,535 bytes");
  }

  if (is_folder) {
    if (stored != given) {
      renamed_folders_[given] = stored;
    } else {
      renamed_folders_.erase(given);
    }
  }
  // The name and every folder it implies are taken from now on.
  taken_.insert(stored);
  for (size_t cut = stored.find('/'); cut != std::string::npos; cut = stored.find('/', cut + 1)) {
    taken_.insert(stored.substr(0, cut));
  }
  return is_folder ? stored + "/" : stored;
}

}  // namespace coffer::archive
