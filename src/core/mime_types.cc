#include "core/mime_types.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace coffer {

std::string_view mime_type_for_name(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 40> kTypes{{
      {"7z", "application/x-7z-compressed"},
      {"avif", "image/avif"},
      {"bmp", "image/bmp"},
      {"css", "text/css"},
      {"csv", "text/csv"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"flac", "audio/flac"},
      {"gif", "image/gif"},
      {"gz", "application/gzip"},
      {"heic", "image/heic"},
      {"htm", "text/html"},
      {"html", "text/html"},
      {"jpeg", "image/jpeg"},
      {"jpg", "image/jpeg"},
      {"js", "text/javascript"},
      {"json", "application/json"},
      {"md", "text/markdown"},
      {"mkv", "video/x-matroska"},
      {"mov", "video/quicktime"},
      {"mp3", "audio/mpeg"},
      {"mp4", "video/mp4"},
      {"odt", "application/vnd.oasis.opendocument.text"},
      {"ogg", "audio/ogg"},
      {"pdf", "application/pdf"},
      {"png", "image/png"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {"svg", "image/svg+xml"},
      {"tar", "application/x-tar"},
      {"tif", "image/tiff"},
      {"tiff", "image/tiff"},
      {"txt", "text/plain"},
      {"wav", "audio/wav"},
      {"webm", "video/webm"},
      {"webp", "image/webp"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"xml", "application/xml"},
      {"yaml", "application/yaml"},
      {"yml", "application/yaml"},
      {"zip", "application/zip"},
  }};
  static_assert(std::is_sorted(kTypes.begin(), kTypes.end()), "kTypes must stay sorted");
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == name.size() || name.size() - dot > 6) {
    return "application/octet-stream";
  }
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it =
      std::lower_bound(kTypes.begin(), kTypes.end(), ext,
                       [](const auto& entry, const std::string& e) { return entry.first < e; });
  if (it != kTypes.end() && it->first == ext) return it->second;
  return "application/octet-stream";
}

bool is_inline_safe_mime(std::string_view mime) {
  if (mime == "image/svg+xml") return false;
  return mime.starts_with("image/") || mime.starts_with("audio/") || mime.starts_with("video/") ||
         mime == "application/pdf" || mime == "text/plain";
}

}  // namespace coffer
