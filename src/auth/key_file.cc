#include "auth/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace coffer::auth {
namespace {

// Reads exactly 32 bytes from `fd` and closes it; a longer or shorter file is refused.
Result<std::vector<unsigned char>> read_key(int fd, const std::string& path) {
  std::vector<unsigned char> key(33);
  ssize_t n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != 32) return Status(Errc::kCorruption, "the key file " + path + " is not 32 bytes");
  key.resize(32);
  return key;
}

}  // namespace

Result<std::vector<unsigned char>> load_or_create_key(const std::string& path) {
  if (sodium_init() < 0) return Status(Errc::kInternal, "libsodium failed to initialise");
  std::vector<unsigned char> key(32);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    randombytes_buf(key.data(), key.size());
    std::string tmp = path + ".tmp";
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Status(Errc::kIoError, "cannot create " + tmp + ": " + std::strerror(errno));
    bool ok =
        ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
      ::unlink(tmp.c_str());
      return Status(Errc::kIoError, "cannot write the key file " + path);
    }
    return key;
  }
  if (fd < 0) return Status(Errc::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  return read_key(fd, path);
}

Result<std::vector<unsigned char>> load_key(const std::string& path) {
  if (sodium_init() < 0) return Status(Errc::kInternal, "libsodium failed to initialise");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    return Status(Errc::kInvalidArgument,
                  "the secret key file " + path +
                      " does not exist (create it once with `head -c 32 /dev/urandom`, then give "
                      "every node a copy)");
  }
  if (fd < 0) return Status(Errc::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  return read_key(fd, path);
}

}  // namespace coffer::auth
