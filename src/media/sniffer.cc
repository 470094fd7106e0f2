#include "media/sniffer.h"

#include <magic.h>

#include <memory>

namespace coffer::media {
namespace {

struct MagicCloser {
  void operator()(magic_set* m) const { magic_close(m); }
};

// libmagic handles are not thread-safe: one per thread, loaded on first use.
magic_set* thread_magic() {
  thread_local std::unique_ptr<magic_set, MagicCloser> cookie = [] {
    // No decompression or following of archives: the first bytes only, quickly.
    magic_set* m =
        magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF | MAGIC_ERROR);
    if (m != nullptr && magic_load(m, nullptr) != 0) {
      magic_close(m);
      m = nullptr;
    }
    return std::unique_ptr<magic_set, MagicCloser>(m);
  }();
  return cookie.get();
}

}  // namespace

std::string sniff_mime(std::span<const std::byte> head) {
  if (head.empty()) return "application/octet-stream";
  magic_set* m = thread_magic();
  if (m == nullptr) return "application/octet-stream";
  const char* type = magic_buffer(m, head.data(), std::min(head.size(), kSniffBytes));
  if (type == nullptr) return "application/octet-stream";
  std::string out(type);
  if (out.empty() || out.find('/') == std::string::npos || out == "application/x-empty") {
    return "application/octet-stream";
  }
  return out;
}

std::string effective_mime(std::string_view sniffed, std::string_view declared) {
  if (sniffed == "text/plain" && (declared == "text/markdown" || declared == "text/csv" ||
                                  declared == "text/tab-separated-values")) {
    return std::string(declared);
  }
  return std::string(sniffed);
}

}  // namespace coffer::media
