#include "service/upload_batch.h"

#include <map>
#include <optional>
#include <utility>

namespace coffer::service {

FileService::Batch::Batch(FileService& files) : files_(files), chunks_(files.chunks_) {}

Status FileService::Batch::add(const UploadRequest& request) {
  auto staged = files_.stage(request, &chunks_);
  COFFER_RETURN_IF_ERROR(staged);
  staged_.push_back(std::move(*staged));
  return Status::ok();
}

std::vector<Result<Node>> FileService::Batch::commit() {
  // Pins and leases are released when `staged` goes, after the commit.
  std::vector<Staged> staged = std::exchange(staged_, {});
  std::vector<std::optional<Result<Node>>> out(staged.size());
  Status durable = chunks_.flush();
  // The files of each owner (one, unless some went into folders shared with the uploader) in
  // one transaction, in the order they were added.
  std::map<int64_t, std::vector<size_t>> by_owner;
  for (size_t i = 0; i < staged.size(); ++i) {
    Status alive = durable.is_ok() ? staged[i].lease->keep_alive() : durable;
    if (alive.is_ok()) {
      by_owner[staged[i].owner_id].push_back(i);
    } else {
      out[i].emplace(std::move(alive));
    }
  }
  for (const auto& [owner_id, indices] : by_owner) {
    std::vector<meta::FileCommit> commits;
    commits.reserve(indices.size());
    for (size_t i : indices) {
      commits.push_back(meta::FileCommit{staged[i].parent_id, staged[i].name, staged[i].version});
    }
    const Micros now = now_micros();
    std::vector<Result<Node>> nodes = files_.catalog_.commit_files(owner_id, commits, now);
    for (size_t k = 0; k < indices.size(); ++k) {
      if (nodes[k].is_ok()) files_.after_commit(staged[indices[k]], *nodes[k], now);
      out[indices[k]].emplace(std::move(nodes[k]));
    }
  }
  std::vector<Result<Node>> results;
  results.reserve(out.size());
  for (auto& result : out) results.push_back(std::move(*result));
  return results;
}

}  // namespace coffer::service
