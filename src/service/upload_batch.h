#pragma once
// Uploads that commit together, for a sync client's bulk upload (many small files in one
// request). Each file is checked and streamed as it is added, in order (a request's parts
// arrive one after another); its new chunks wait in a store::ChunkBatch. commit() then makes
// the chunks of all of them durable in one ChunkStore::put_many (one group commit, one sync,
// for the packed ones) and records every file in one catalog transaction
// (Catalog::commit_files): one flush of each kind for the lot instead of two per file.
//
// Every rule of FileService::upload holds for each file (access, name rules, type and size
// policy, quota, declared length and digest, versions, jobs, activity), and one file failing
// fails only itself. Nothing is visible before commit(), and every file it reports committed
// is durable. Not thread-safe: one request's thread uses it.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "service/file_service.h"
#include "store/chunk_batch.h"

namespace coffer::service {

class FileService::Batch {
 public:
  // After this many files added, full() asks for a commit before more: a transaction of one
  // writer stays short, and the pins and manifests held stay few.
  static constexpr size_t kMaxFiles = 500;

  // `files` must outlive the batch.
  explicit Batch(FileService& files);
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  // Checks and stores one upload as FileService::upload does up to its commit. An error
  // concerns this file alone: nothing of it will commit, and the batch goes on.
  Status add(const UploadRequest& request);

  // Whether to commit() before adding more.
  bool full() const { return staged_.size() >= kMaxFiles; }

  // Commits every file added (successfully) since the last commit: one result per file, in
  // the order they were added. A failure to make the chunks durable, or of the transaction,
  // fails every one of them.
  std::vector<Result<Node>> commit();

 private:
  FileService& files_;
  store::ChunkBatch chunks_;
  std::vector<Staged> staged_;
};

}  // namespace coffer::service
