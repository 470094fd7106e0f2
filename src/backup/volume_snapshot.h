#pragma once
// A consistent view of a live store's packed volumes (store::VolumeStore) for a backup: a
// snapshot of the volume index and, for every volume the snapshot names, an open descriptor
// of the very file it describes and the length that covers every record it indexes.
//
// Why the pair agrees although the server appends and compaction moves records meanwhile:
//   1. every volume file in the directory is opened (and its inode noted) before the index
//      snapshot is taken; an open descriptor keeps the bytes readable even if compaction
//      deletes the file afterwards;
//   2. the index is copied with SQLite's online backup API: one commit's state;
//   3. then every volume the snapshot names must still be the inode opened in 1. A volume
//      file is never renamed and a deleted inode never comes back, so an inode that had the
//      name both before and after the snapshot had it at the snapshot: the snapshot's rows
//      describe the bytes of the descriptor. If a volume was created or replaced in between,
//      the round is taken again.
//   4. bytes below a volume's indexed end never change while its inode exists (records are
//      appended after it and only bytes past it are ever cut back), so copying each volume up
//      to the end the snapshot gives copies exactly the records the snapshot indexes.
// The restored index then matches the restored volumes byte for byte, and opening the
// restored store finds nothing past any indexed end to recover.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/status.h"

namespace coffer::backup {

class VolumeSnapshot {
 public:
  struct Volume {
    int fd = -1;
    uint64_t device = 0;
    uint64_t inode = 0;
    uint64_t end = 0;  // bytes to copy: the indexed end, past every indexed record
  };

  // Takes the snapshot of the volume directory `volume_dir` (its index is index.db), writing
  // the index copy to `index_copy` (which must not exist). Errors: kIoError, kCorruption (an
  // index row past the end of its volume), kUnavailable (the volumes kept changing under
  // every attempt). `before_index_copy`, if set, runs in each attempt between opening the
  // volumes and copying the index (tests compact there).
  static Result<VolumeSnapshot> take(const std::string& volume_dir, const std::string& index_copy,
                                     const std::function<void()>& before_index_copy = nullptr);

  VolumeSnapshot() = default;
  VolumeSnapshot(VolumeSnapshot&& other) noexcept : volumes_(std::move(other.volumes_)) {
    other.volumes_.clear();
  }
  VolumeSnapshot& operator=(VolumeSnapshot&&) = delete;
  VolumeSnapshot(const VolumeSnapshot&) = delete;
  ~VolumeSnapshot();

  // By volume number.
  const std::map<uint64_t, Volume>& volumes() const { return volumes_; }

 private:
  std::map<uint64_t, Volume> volumes_;
};

}  // namespace coffer::backup
