#include "store/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace coffer::store {

Status io_error(std::string_view what, const std::string& path, int err) {
  std::string message(what);
  message += ' ';
  message += path;
  message += ": ";
  message += std::generic_category().message(err);
  return Status(Errc::kIoError, std::move(message));
}

Result<size_t> pread_full(int fd, uint64_t offset, std::span<std::byte> out,
                          const std::string& path) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("read", path, errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status fsync_dir(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open directory", path, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("fsync directory", path, err);
  return Status::ok();
}

Status make_dirs(const std::string& path) {
  std::string dir = path;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string prefix = dir.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0700) == 0) {
      const size_t cut = prefix.find_last_of('/');
      COFFER_RETURN_IF_ERROR(
          fsync_dir(cut == std::string::npos ? "." : (cut == 0 ? "/" : prefix.substr(0, cut))));
    } else if (errno != EEXIST) {
      return io_error("mkdir", prefix, errno);
    }
    if (slash == std::string::npos) break;
  }
  return Status::ok();
}

}  // namespace coffer::store
