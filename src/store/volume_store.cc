#include "store/volume_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <optional>
#include <system_error>

#include "meta/database.h"
#include "meta/sqlite_database.h"
#include "store/chunk_codec.h"
#include "store/file_io.h"

namespace coffer::store {
namespace {

// Record header (docs/storage-format.md, "Packed volumes"):
//   0  4  magic "CFV1"
//   4  4  reserved, zero
//   8  8  length of the encoded chunk that follows, little-endian
//   16 32 the chunk id
constexpr std::array<std::byte, 4> kMagic = {std::byte{'C'}, std::byte{'F'}, std::byte{'V'},
                                             std::byte{'1'}};
constexpr char kVolumeSuffix[] = ".vol";
constexpr char kIndexName[] = "index.db";
// Records larger than this are not written here (LocalChunkStore keeps big chunks as files);
// recovery treats a larger length as a torn header.
constexpr uint64_t kMaxRecordPayload = 64 << 20;

constexpr char kIndexSchema[] =
    "CREATE TABLE IF NOT EXISTS chunks (id TEXT PRIMARY KEY, volume INTEGER NOT NULL, "
    "record_offset INTEGER NOT NULL, length INTEGER NOT NULL, modified INTEGER NOT NULL) WITHOUT "
    "ROWID;"
    "CREATE TABLE IF NOT EXISTS volumes (volume INTEGER PRIMARY KEY, indexed_end INTEGER NOT "
    "NULL)";

void put_le64(std::byte* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::byte>(v >> (8 * i));
}

uint64_t get_le64(const std::byte* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(in[i]) << (8 * i);
  return v;
}

std::array<std::byte, VolumeStore::kRecordHeaderSize> record_header(const ChunkId& id,
                                                                    uint64_t length) {
  std::array<std::byte, VolumeStore::kRecordHeaderSize> h{};
  std::memcpy(h.data(), kMagic.data(), kMagic.size());
  put_le64(h.data() + 8, length);
  std::memcpy(h.data() + 16, id.bytes.data(), id.bytes.size());
  return h;
}

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

// A volume file opened for reading, shared by concurrent readers; closed with its last user.
class VolumeStore::OpenFile {
 public:
  OpenFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~OpenFile() { ::close(fd_); }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

VolumeStore::VolumeStore(std::string dir, VolumeStoreOptions options,
                         std::unique_ptr<meta::Database> index)
    : dir_(std::move(dir)), options_(options), index_(std::move(index)) {}

VolumeStore::~VolumeStore() {
  if (active_fd_ >= 0) ::close(active_fd_);  // also releases its flock
}

Result<std::unique_ptr<VolumeStore>> VolumeStore::open(const std::string& dir,
                                                       VolumeStoreOptions options) {
  if (::mkdir(dir.c_str(), 0700) == 0) {
    const size_t cut = dir.find_last_of('/');
    COFFER_RETURN_IF_ERROR(fsync_dir(cut == std::string::npos ? "." : dir.substr(0, cut)));
  } else if (errno != EEXIST) {
    return io_error("mkdir", dir, errno);
  }
  meta::SqliteOptions index_options;
  // The volumes are the truth: a power loss that drops the index's last commits is repaired
  // by recovery, so its commits need no fsync of their own.
  index_options.durable_commits = false;
  index_options.max_readers = options.index_readers;
  auto index = meta::open_sqlite_database(dir + "/" + kIndexName, index_options);
  COFFER_RETURN_IF_ERROR(index);
  COFFER_RETURN_IF_ERROR((*index)->transact(meta::TxMode::kSchema, [](meta::Connection& conn) {
    return conn.exec_script(kIndexSchema);
  }));
  std::unique_ptr<VolumeStore> store(new VolumeStore(dir, options, std::move(*index)));
  COFFER_RETURN_IF_ERROR(store->recover_all());
  return store;
}

std::string VolumeStore::volume_path(uint64_t volume) const {
  char name[32];
  std::snprintf(name, sizeof name, "%08llu", static_cast<unsigned long long>(volume));
  return dir_ + "/" + name + kVolumeSuffix;
}

Result<std::vector<uint64_t>> VolumeStore::list_volumes() const {
  std::vector<uint64_t> volumes;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return io_error("open directory", dir_, errno);
  while (dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    const size_t suffix = sizeof(kVolumeSuffix) - 1;
    if (name.size() != 8 + suffix || !name.ends_with(kVolumeSuffix)) continue;
    uint64_t n = 0;
    bool digits = true;
    for (char c : name.substr(0, 8)) {
      if (c < '0' || c > '9') digits = false;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (digits && n > 0) volumes.push_back(n);
  }
  ::closedir(d);
  std::sort(volumes.begin(), volumes.end());
  return volumes;
}

Status VolumeStore::recover_all() {
  auto volumes = list_volumes();
  COFFER_RETURN_IF_ERROR(volumes);
  for (uint64_t volume : *volumes) {
    const std::string path = volume_path(volume);
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return io_error("open", path, errno);
    // A volume another process holds is being appended to: its tail is not torn but in flight.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      continue;
    }
    Status s = recover(volume, fd);
    ::close(fd);
    COFFER_RETURN_IF_ERROR(s);
  }
  return Status::ok();
}

Status VolumeStore::recover(uint64_t volume, int fd) {
  const std::string path = volume_path(volume);
  struct stat st;
  if (::fstat(fd, &st) != 0) return io_error("stat", path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  auto indexed = transact_value<uint64_t>(
      *index_, meta::TxMode::kRead, [&](meta::Connection& conn) -> Result<uint64_t> {
        auto row = conn.query_row("SELECT indexed_end FROM volumes WHERE volume = ?",
                                  {static_cast<int64_t>(volume)});
        COFFER_RETURN_IF_ERROR(row);
        return *row ? static_cast<uint64_t>((*row)->int64(0)) : uint64_t{0};
      });
  COFFER_RETURN_IF_ERROR(indexed);
  uint64_t pos = std::min(*indexed, size);
  if (pos == size && *indexed == size) return Status::ok();

  struct Found {
    ChunkId id;
    uint64_t offset;
    uint64_t length;
  };
  std::vector<Found> found;
  std::vector<std::byte> payload;
  while (pos + kRecordHeaderSize <= size) {
    std::array<std::byte, kRecordHeaderSize> header;
    auto n = pread_full(fd, pos, header, path);
    COFFER_RETURN_IF_ERROR(n);
    if (*n != header.size() || std::memcmp(header.data(), kMagic.data(), kMagic.size()) != 0) {
      break;
    }
    const uint64_t length = get_le64(header.data() + 8);
    if (length > kMaxRecordPayload || pos + kRecordHeaderSize + length > size) break;
    ChunkId id;
    std::memcpy(id.bytes.data(), header.data() + 16, id.bytes.size());
    payload.resize(length);
    auto got = pread_full(fd, pos + kRecordHeaderSize, payload, path);
    COFFER_RETURN_IF_ERROR(got);
    // A record whose bytes do not hash to its id was torn (or written by a failed group).
    if (*got != length || !ChunkCodec::decode(payload, id).is_ok()) break;
    found.push_back(Found{id, pos, length});
    pos += kRecordHeaderSize + length;
  }
  if (pos < size) {
    // Nothing past the first incomplete record was acknowledged: each group is synced before
    // the next one starts, so a torn record can only be followed by unsynced ones.
    if (::ftruncate(fd, static_cast<off_t>(pos)) != 0) return io_error("truncate", path, errno);
    if (::fdatasync(fd) != 0) return io_error("fsync", path, errno);
    recovery_.bytes_truncated += size - pos;
  }
  const int64_t now = now_seconds();
  COFFER_RETURN_IF_ERROR(index_->transact(meta::TxMode::kWrite, [&](meta::Connection& conn) {
    for (const Found& f : found) {
      COFFER_RETURN_IF_ERROR(conn.exec(
          "INSERT INTO chunks (id, volume, record_offset, length, modified) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (id) DO NOTHING",
          {f.id.hex(), static_cast<int64_t>(volume), static_cast<int64_t>(f.offset),
           static_cast<int64_t>(f.length), now}));
    }
    return status_of(
        conn.exec("INSERT INTO volumes (volume, indexed_end) VALUES (?, ?) "
                  "ON CONFLICT (volume) DO UPDATE SET indexed_end = excluded.indexed_end",
                  {static_cast<int64_t>(volume), static_cast<int64_t>(pos)}));
  }));
  recovery_.records_indexed += found.size();
  return Status::ok();
}

Result<std::optional<VolumeStore::Location>> VolumeStore::locate(const ChunkId& id) {
  return transact_value<std::optional<Location>>(
      *index_, meta::TxMode::kRead, [&](meta::Connection& conn) -> Result<std::optional<Location>> {
        auto row = conn.query_row("SELECT volume, record_offset, length FROM chunks WHERE id = ?",
                                  {id.hex()});
        COFFER_RETURN_IF_ERROR(row);
        if (!*row) return std::optional<Location>();
        return std::optional<Location>(Location{static_cast<uint64_t>((*row)->int64(0)),
                                                static_cast<uint64_t>((*row)->int64(1)),
                                                static_cast<uint64_t>((*row)->int64(2))});
      });
}

Result<std::shared_ptr<VolumeStore::OpenFile>> VolumeStore::reader_for(uint64_t volume) {
  std::lock_guard lock(readers_mu_);
  if (auto it = readers_.find(volume); it != readers_.end()) return it->second;
  const std::string path = volume_path(volume);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status(Errc::kNotFound, "volume " + path + " is gone");
    return io_error("open", path, errno);
  }
  auto file = std::make_shared<OpenFile>(fd, path);
  readers_.emplace(volume, file);
  return file;
}

Result<bool> VolumeStore::touch(const ChunkId& id) {
  // Look before writing: most touches are of new chunks (a miss), and a read needs no lock.
  auto where = locate(id);
  COFFER_RETURN_IF_ERROR(where);
  if (!*where) return false;
  auto changed = transact_value<int64_t>(
      *index_, meta::TxMode::kWrite, [&](meta::Connection& conn) -> Result<int64_t> {
        return conn.exec("UPDATE chunks SET modified = ? WHERE id = ?", {now_seconds(), id.hex()});
      });
  COFFER_RETURN_IF_ERROR(changed);
  return *changed > 0;
}

Result<std::vector<std::byte>> VolumeStore::get(const ChunkId& id) {
  auto where = locate(id);
  COFFER_RETURN_IF_ERROR(where);
  if (!*where) return Status(Errc::kNotFound, "chunk " + id.hex() + " is not in a volume");
  auto file = reader_for((*where)->volume);
  if (!file.is_ok() && file.status().code() == Errc::kNotFound) {
    // Compaction moved the record and deleted its volume between the look-up and the open.
    where = locate(id);
    COFFER_RETURN_IF_ERROR(where);
    if (!*where) return Status(Errc::kNotFound, "chunk " + id.hex() + " is not in a volume");
    file = reader_for((*where)->volume);
  }
  COFFER_RETURN_IF_ERROR(file);
  std::vector<std::byte> record(kRecordHeaderSize + (*where)->length);
  auto n = pread_full((*file)->fd(), (*where)->offset, record, (*file)->path());
  COFFER_RETURN_IF_ERROR(n);
  // The header names the chunk: a record that is not the one the index points at is damage.
  if (*n != record.size() || std::memcmp(record.data(), kMagic.data(), kMagic.size()) != 0 ||
      get_le64(record.data() + 8) != (*where)->length ||
      std::memcmp(record.data() + 16, id.bytes.data(), id.bytes.size()) != 0) {
    return Status(Errc::kCorruption, "chunk " + id.hex() + ": its volume record is damaged");
  }
  record.erase(record.begin(), record.begin() + kRecordHeaderSize);
  return record;
}

Result<size_t> VolumeStore::read_at(const ChunkId& id, uint64_t offset, std::span<std::byte> out) {
  auto where = locate(id);
  COFFER_RETURN_IF_ERROR(where);
  if (!*where) return Status(Errc::kNotFound, "chunk " + id.hex() + " is not in a volume");
  if (offset >= (*where)->length) return size_t{0};
  auto file = reader_for((*where)->volume);
  if (!file.is_ok() && file.status().code() == Errc::kNotFound) {
    where = locate(id);  // moved by compaction meanwhile
    COFFER_RETURN_IF_ERROR(where);
    if (!*where) return Status(Errc::kNotFound, "chunk " + id.hex() + " is not in a volume");
    file = reader_for((*where)->volume);
  }
  COFFER_RETURN_IF_ERROR(file);
  const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), (*where)->length - offset));
  return pread_full((*file)->fd(), (*where)->offset + kRecordHeaderSize + offset, out.first(n),
                    (*file)->path());
}

Status VolumeStore::remove(const ChunkId& id) {
  return index_->transact(meta::TxMode::kWrite, [&](meta::Connection& conn) {
    return status_of(conn.exec("DELETE FROM chunks WHERE id = ?", {id.hex()}));
  });
}

Status VolumeStore::for_each(const std::function<Status(const StoredChunkInfo&)>& fn) {
  // Pages by id, each read in its own short transaction, so that fn may write.
  constexpr int64_t kPage = 1000;
  std::string after;
  for (;;) {
    auto page = transact_value<std::vector<StoredChunkInfo>>(
        *index_, meta::TxMode::kRead,
        [&](meta::Connection& conn) -> Result<std::vector<StoredChunkInfo>> {
          auto rows =
              conn.query("SELECT id, length, modified FROM chunks WHERE id > ? ORDER BY id LIMIT ?",
                         {after, kPage});
          COFFER_RETURN_IF_ERROR(rows);
          std::vector<StoredChunkInfo> out;
          for (const meta::Row& row : *rows) {
            auto id = ChunkId::from_hex(row.text(0));
            if (!id) return Status(Errc::kCorruption, "the volume index has a bad chunk id");
            out.push_back(StoredChunkInfo{*id, static_cast<uint64_t>(row.int64(1)), row.int64(2)});
          }
          return out;
        });
    COFFER_RETURN_IF_ERROR(page);
    for (const StoredChunkInfo& info : *page) COFFER_RETURN_IF_ERROR(fn(info));
    if (static_cast<int64_t>(page->size()) < kPage) return Status::ok();
    after = page->back().id.hex();
  }
}

Status VolumeStore::put(const ChunkId& id, std::span<const std::byte> encoded) {
  const ChunkPut chunk{id, encoded};
  return put_many(std::span(&chunk, 1));
}

Status VolumeStore::put_many(std::span<const ChunkPut> chunks) {
  std::vector<PendingPut> pending;
  pending.reserve(chunks.size());
  for (const ChunkPut& chunk : chunks) {
    if (chunk.encoded.size() > kMaxRecordPayload) {
      return Status(Errc::kInvalidArgument, "chunk too large for a volume");
    }
    // Content addressing: an indexed id already holds these bytes.
    auto present = touch(chunk.id);
    COFFER_RETURN_IF_ERROR(present);
    if (!*present) pending.push_back(PendingPut{&chunk.id, chunk.encoded});
  }
  if (pending.empty()) return Status::ok();
  return append(pending);
}

Status VolumeStore::append(std::span<PendingPut> mine) {
  std::condition_variable cv;
  std::unique_lock lock(queue_mu_);
  for (PendingPut& member : mine) {
    member.cv = &cv;
    queue_.push_back(&member);
  }
  auto all_done = [&] {
    return std::all_of(mine.begin(), mine.end(), [](const PendingPut& m) { return m.done; });
  };
  // A member leaves the queue only once done, so a front of ours is one still to write.
  auto leading = [&] { return !queue_.empty() && queue_.front()->cv == &cv; };
  for (;;) {
    cv.wait(lock, [&] { return all_done() || leading(); });
    if (all_done()) break;
    std::vector<PendingPut*> group{queue_.front()};
    size_t bytes = kRecordHeaderSize + group.front()->encoded.size();
    // pwritev takes at most IOV_MAX pieces, two per record.
    for (size_t i = 1; i < queue_.size() && group.size() < IOV_MAX / 2; ++i) {
      const size_t more = kRecordHeaderSize + queue_[i]->encoded.size();
      if (bytes + more > options_.max_group_bytes) break;
      bytes += more;
      group.push_back(queue_[i]);
    }
    lock.unlock();
    append_group(group);
    lock.lock();
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(group.size()));
    // Notified under the lock: another caller may return (destroying its condition variable)
    // as soon as it can take the lock after seeing its members done.
    for (PendingPut* member : group) {
      member->done = true;
      if (member->cv != &cv) member->cv->notify_one();
    }
    if (!queue_.empty() && queue_.front()->cv != &cv) queue_.front()->cv->notify_one();
  }
  for (const PendingPut& member : mine) COFFER_RETURN_IF_ERROR(member.status);
  return Status::ok();
}

void VolumeStore::drop_reader(uint64_t volume) {
  std::lock_guard lock(readers_mu_);
  readers_.erase(volume);  // readers still holding it keep the file open
}

Result<VolumeStore::CompactionReport> VolumeStore::compact(double max_live_fraction) {
  CompactionReport report;
  auto volumes = list_volumes();
  COFFER_RETURN_IF_ERROR(volumes);
  for (uint64_t volume : *volumes) {
    const std::string path = volume_path(volume);
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // compacted by another process meanwhile
      return io_error("open", path, errno);
    }
    // A volume some process appends to (this one's included) is held: never compacted.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      continue;
    }
    struct stat st;
    Status s = ::fstat(fd, &st) == 0 ? Status::ok() : io_error("stat", path, errno);
    uint64_t live = 0;
    if (s.is_ok()) {
      auto bytes = transact_value<int64_t>(
          *index_, meta::TxMode::kRead, [&](meta::Connection& conn) -> Result<int64_t> {
            auto row = conn.query_row(
                "SELECT COALESCE(SUM(length), 0) + 48 * COUNT(*) FROM chunks WHERE volume = ?",
                {static_cast<int64_t>(volume)});
            COFFER_RETURN_IF_ERROR(row);
            return (*row)->int64(0);
          });
      if (bytes.is_ok()) live = static_cast<uint64_t>(*bytes);
      s = status_of(bytes);
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (s.is_ok() && size > 0 && static_cast<double>(live) <= max_live_fraction * size) {
      s = compact_volume(volume, report);
      if (s.is_ok()) report.bytes_reclaimed += size;
    }
    ::close(fd);
    COFFER_RETURN_IF_ERROR(s);
  }
  return report;
}

Status VolumeStore::compact_volume(uint64_t volume, CompactionReport& report) {
  const std::string path = volume_path(volume);
  auto file = reader_for(volume);
  COFFER_RETURN_IF_ERROR(file);
  int64_t after = -1;
  for (;;) {
    struct Live {
      ChunkId id;
      Location at;
    };
    auto page = transact_value<std::vector<Live>>(
        *index_, meta::TxMode::kRead, [&](meta::Connection& conn) -> Result<std::vector<Live>> {
          auto rows = conn.query(
              "SELECT id, record_offset, length FROM chunks WHERE volume = ? AND record_offset > ? "
              "ORDER BY record_offset LIMIT 256",
              {static_cast<int64_t>(volume), after});
          COFFER_RETURN_IF_ERROR(rows);
          std::vector<Live> out;
          for (const meta::Row& row : *rows) {
            auto id = ChunkId::from_hex(row.text(0));
            if (!id) return Status(Errc::kCorruption, "the volume index has a bad chunk id");
            out.push_back(Live{*id, Location{volume, static_cast<uint64_t>(row.int64(1)),
                                             static_cast<uint64_t>(row.int64(2))}});
          }
          return out;
        });
    COFFER_RETURN_IF_ERROR(page);
    if (page->empty()) break;
    for (const Live& live : *page) {
      std::vector<std::byte> record(kRecordHeaderSize + live.at.length);
      auto n = pread_full((*file)->fd(), live.at.offset, record, path);
      COFFER_RETURN_IF_ERROR(n);
      std::span<const std::byte> encoded = std::span(record).subspan(kRecordHeaderSize);
      // Copying damage would hide it behind a fresh record: keep the volume for repair.
      if (*n != record.size() ||
          std::memcmp(record.data() + 16, live.id.bytes.data(), live.id.bytes.size()) != 0 ||
          !ChunkCodec::decode(encoded, live.id).is_ok()) {
        report.damaged.push_back("volume " + std::to_string(volume) + ": chunk " + live.id.hex() +
                                 " fails its check; the volume is kept");
        return Status::ok();
      }
      PendingPut move{&live.id, encoded};
      move.moving_from = &live.at;
      COFFER_RETURN_IF_ERROR(append(std::span(&move, 1)));
      ++report.records_moved;
    }
    after = static_cast<int64_t>(page->back().at.offset);
  }
  // Every record left (a concurrent remove() dropped some): forget the volume, then delete it.
  COFFER_RETURN_IF_ERROR(index_->transact(meta::TxMode::kWrite, [&](meta::Connection& conn) {
    auto left = conn.query_row("SELECT COUNT(*) FROM chunks WHERE volume = ?",
                               {static_cast<int64_t>(volume)});
    COFFER_RETURN_IF_ERROR(left);
    if ((*left)->int64(0) != 0) {
      return Status(Errc::kConflict, "volume " + std::to_string(volume) + " still has records");
    }
    return status_of(
        conn.exec("DELETE FROM volumes WHERE volume = ?", {static_cast<int64_t>(volume)}));
  }));
  drop_reader(volume);
  if (::unlink(path.c_str()) != 0) return io_error("unlink", path, errno);
  COFFER_RETURN_IF_ERROR(fsync_dir(dir_));
  ++report.volumes_compacted;
  return Status::ok();
}

void VolumeStore::retire_active() {
  if (active_fd_ >= 0) ::close(active_fd_);
  active_fd_ = -1;
  active_volume_ = 0;
  active_end_ = 0;
}

Status VolumeStore::ensure_active(uint64_t need_bytes) {
  if (active_fd_ >= 0 && active_end_ + need_bytes <= options_.max_volume_bytes) {
    return Status::ok();
  }
  if (active_fd_ >= 0 && active_end_ > 0) retire_active();  // sealed: full
  auto volumes = list_volumes();
  COFFER_RETURN_IF_ERROR(volumes);
  // Reopen the newest volume if it has room and nobody else appends to it, else start one.
  if (!volumes->empty()) {
    const uint64_t last = volumes->back();
    const std::string path = volume_path(last);
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return io_error("open", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      Status s = recover(last, fd);
      struct stat st;
      if (s.is_ok() && ::fstat(fd, &st) != 0) s = io_error("stat", path, errno);
      if (s.is_ok() &&
          static_cast<uint64_t>(st.st_size) + need_bytes <= options_.max_volume_bytes) {
        active_fd_ = fd;
        active_volume_ = last;
        active_end_ = static_cast<uint64_t>(st.st_size);
        return Status::ok();
      }
      ::close(fd);
      COFFER_RETURN_IF_ERROR(s);
    } else {
      ::close(fd);
    }
  }
  for (uint64_t next = volumes->empty() ? 1 : volumes->back() + 1;; ++next) {
    const std::string path = volume_path(next);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno == EEXIST) continue;  // another process started it first
      return io_error("create", path, errno);
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      continue;
    }
    // The new name must be durable before any record in it is acknowledged.
    if (Status s = fsync_dir(dir_); !s.is_ok()) {
      ::close(fd);
      ::unlink(path.c_str());
      return s;
    }
    active_fd_ = fd;
    active_volume_ = next;
    active_end_ = 0;
    return Status::ok();
  }
}

void VolumeStore::append_group(const std::vector<PendingPut*>& group) {
  auto fail_all = [&](const Status& status) {
    for (PendingPut* member : group) member->status = status;
  };
  uint64_t total = 0;
  for (PendingPut* member : group) total += kRecordHeaderSize + member->encoded.size();
  if (Status s = ensure_active(total); !s.is_ok()) return fail_all(s);

  const std::string path = volume_path(active_volume_);
  std::vector<std::array<std::byte, kRecordHeaderSize>> headers;
  headers.reserve(group.size());
  std::vector<iovec> iov;
  iov.reserve(group.size() * 2);
  for (PendingPut* member : group) {
    headers.push_back(record_header(*member->id, member->encoded.size()));
    iov.push_back(iovec{headers.back().data(), headers.back().size()});
    iov.push_back(iovec{const_cast<std::byte*>(member->encoded.data()), member->encoded.size()});
  }
  const uint64_t start = active_end_;
  // A failed append leaves the volume cut back to where the group began; if even that fails,
  // the volume is left to recovery and a new one is started for the next group.
  auto abandon = [&](const Status& status) {
    if (::ftruncate(active_fd_, static_cast<off_t>(start)) != 0) retire_active();
    fail_all(status);
  };
  uint64_t written = 0;
  size_t first = 0;
  while (written < total) {
    ssize_t n = ::pwritev(active_fd_, iov.data() + first, static_cast<int>(iov.size() - first),
                          static_cast<off_t>(start + written));
    if (n < 0) {
      if (errno == EINTR) continue;
      return abandon(io_error("write", path, errno));
    }
    written += static_cast<uint64_t>(n);
    // Skip what was written; a partial write can end inside a piece.
    for (size_t left = static_cast<size_t>(n); left > 0;) {
      if (left >= iov[first].iov_len) {
        left -= iov[first].iov_len;
        ++first;
      } else {
        iov[first].iov_base = static_cast<std::byte*>(iov[first].iov_base) + left;
        iov[first].iov_len -= left;
        left = 0;
      }
    }
  }
  if (::fdatasync(active_fd_) != 0) {
    // After a failed fsync the page cache's state is unknown (the kernel may have dropped the
    // dirty pages): never append to this volume again.
    const Status failed = io_error("fsync", path, errno);
    (void)::ftruncate(active_fd_, static_cast<off_t>(start));
    retire_active();
    return fail_all(failed);
  }
  const uint64_t end = start + total;
  active_end_ = end;
  const int64_t now = now_seconds();
  Status indexed = index_->transact(meta::TxMode::kWrite, [&](meta::Connection& conn) {
    uint64_t offset = start;
    for (PendingPut* member : group) {
      if (member->moving_from != nullptr) {
        COFFER_RETURN_IF_ERROR(
            conn.exec("UPDATE chunks SET volume = ?, record_offset = ? "
                      "WHERE id = ? AND volume = ? AND record_offset = ?",
                      {static_cast<int64_t>(active_volume_), static_cast<int64_t>(offset),
                       member->id->hex(), static_cast<int64_t>(member->moving_from->volume),
                       static_cast<int64_t>(member->moving_from->offset)}));
      } else {
        COFFER_RETURN_IF_ERROR(conn.exec(
            "INSERT INTO chunks (id, volume, record_offset, length, modified) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET modified = excluded.modified",
            {member->id->hex(), static_cast<int64_t>(active_volume_), static_cast<int64_t>(offset),
             static_cast<int64_t>(member->encoded.size()), now}));
      }
      offset += kRecordHeaderSize + member->encoded.size();
    }
    return status_of(
        conn.exec("INSERT INTO volumes (volume, indexed_end) VALUES (?, ?) "
                  "ON CONFLICT (volume) DO UPDATE SET indexed_end = excluded.indexed_end",
                  {static_cast<int64_t>(active_volume_), static_cast<int64_t>(end)}));
  });
  fail_all(indexed);
}

}  // namespace coffer::store
