#include "meta/sqlite_snapshot.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace coffer::meta {
namespace {

Status sqlite_error(const std::string& what, sqlite3* db, int rc) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status(rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ? Errc::kCorruption : Errc::kIoError,
                what + ": " + message);
}

struct Handle {
  sqlite3* db = nullptr;
  ~Handle() { sqlite3_close_v2(db); }
};

}  // namespace

Status snapshot_sqlite(const std::string& source, const std::string& target) {
  struct stat st;
  if (::stat(source.c_str(), &st) != 0) {
    return Status(Errc::kNotFound, "no database at " + source);
  }
  // Created here, empty, so that it is private (0600) whatever the umask; SQLite fills it.
  const int created = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (created < 0) {
    if (errno == EEXIST) return Status(Errc::kAlreadyExists, target + " exists already");
    return Status(Errc::kIoError, "create " + target + ": " + std::strerror(errno));
  }
  ::close(created);
  Handle from;
  Handle to;
  int rc = sqlite3_open_v2(source.c_str(), &from.db, SQLITE_OPEN_READONLY, nullptr);
  if (rc != SQLITE_OK) return sqlite_error("open " + source, from.db, rc);
  sqlite3_busy_timeout(from.db, 5000);
  rc = sqlite3_open_v2(target.c_str(), &to.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) return sqlite_error("create " + target, to.db, rc);
  sqlite3_backup* backup = sqlite3_backup_init(to.db, "main", from.db, "main");
  if (backup == nullptr) return sqlite_error("back up " + source, to.db, sqlite3_errcode(to.db));
  // All pages in one step: one read transaction on the source, so the copy is of one commit.
  // Copying in several steps would restart whenever another process wrote in between.
  for (int attempt = 0;; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 100) {
      sqlite3_sleep(50);
      continue;
    }
    break;
  }
  const int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return sqlite_error("back up " + source, to.db, rc);
  if (finished != SQLITE_OK) return sqlite_error("back up " + source, to.db, finished);
  // A rollback journal makes the copy one self-contained file (no -wal beside it); the server
  // switches it back to WAL when it opens it.
  rc = sqlite3_exec(to.db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error("finish " + target, to.db, rc);
  sqlite3_close_v2(to.db);
  to.db = nullptr;
  const int fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status(Errc::kIoError, "open " + target + ": " + std::strerror(errno));
  const int synced = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (synced != 0) return Status(Errc::kIoError, "fsync " + target + ": " + std::strerror(err));
  return Status::ok();
}

}  // namespace coffer::meta
