#include "media/sniffer.h"

#include <fcntl.h>
#include <magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <span>
#include <string>

namespace coffer::media {
namespace {

struct MagicCloser {
  void operator()(magic_set* m) const { magic_close(m); }
};

// The compiled magic database (about 8 MiB), mapped once for the process. magic_load() maps
// it anew for every handle, and resident pages count once per mapping: with a handle per
// worker thread, the same file made up most of the server's RSS after an upload burst (18
// copies, 105 MiB). Handles built with magic_load_buffers() read this one mapping instead.
// Empty when the database is not found as a compiled file; handles then load it themselves.
std::span<std::byte> shared_database() {
  static const std::span<std::byte> database = [] {
    // magic_getpath lists the databases magic_load would read ("/etc/magic:/usr/share/misc/
    // magic"); the compiled one is the entry with ".mgc" appended. /etc/magic is a text file
    // for local additions, empty on Debian, which handles built this way do not read.
    const char* listed = magic_getpath(nullptr, 0);
    const std::string paths = listed != nullptr ? listed : "";
    for (size_t start = 0; start <= paths.size();) {
      size_t end = std::min(paths.find(':', start), paths.size());
      std::string path = paths.substr(start, end - start);
      start = end + 1;
      if (path.empty()) continue;
      if (!path.ends_with(".mgc")) path += ".mgc";
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      struct stat st {};
      void* p = MAP_FAILED;
      if (::fstat(fd, &st) == 0 && st.st_size > 0) {
        // Writable and private, as libmagic maps it itself: it may patch entries in place.
        p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ | PROT_WRITE, MAP_PRIVATE,
                   fd, 0);
      }
      ::close(fd);
      if (p != MAP_FAILED) {
        return std::span<std::byte>(static_cast<std::byte*>(p), static_cast<size_t>(st.st_size));
      }
    }
    return std::span<std::byte>();
  }();
  return database;
}

// libmagic handles are not thread-safe: one per thread, built on first use. A handle itself
// is small (its entries point into the shared database).
magic_set* thread_magic() {
  thread_local std::unique_ptr<magic_set, MagicCloser> cookie = [] {
    // No decompression or following of archives: the first bytes only, quickly.
    magic_set* m =
        magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF | MAGIC_ERROR);
    if (m == nullptr) return std::unique_ptr<magic_set, MagicCloser>();
    std::span<std::byte> database = shared_database();
    void* buffers[] = {database.data()};
    size_t sizes[] = {database.size()};
    // A database libmagic refuses from memory (another version's format) is loaded the usual
    // way, so that sniffing works as before, at the old cost.
    if ((database.empty() || magic_load_buffers(m, buffers, sizes, 1) != 0) &&
        magic_load(m, nullptr) != 0) {
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
