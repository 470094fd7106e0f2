#include "store/object_writer.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "store/chunk_batch.h"
#include "store/chunk_check.h"
#include "store/sha256.h"

namespace coffer::store {
namespace {

// Chunks of a large upload are hashed, encoded and stored by this many threads, so that
// several puts, each ending in fsyncs, are in flight while the caller's thread keeps hashing
// and cutting.
constexpr int kWorkers = 3;
// Chunks cut but not yet stored. Each holds a frame of up to max_size bytes.
constexpr size_t kMaxFrames = kWorkers + 1;
// Frames start on this boundary so that LocalChunkStore can write them with O_DIRECT.
constexpr size_t kFrameAlignment = 4096;

// A reusable, aligned byte buffer. Reuse matters: fresh memory costs a page fault per page.
class Frame {
 public:
  Frame() = default;
  Frame(Frame&& other) noexcept
      : data_(std::move(other.data_)), capacity_(std::exchange(other.capacity_, 0)) {}
  Frame& operator=(Frame&& other) noexcept {
    data_ = std::move(other.data_);
    capacity_ = std::exchange(other.capacity_, 0);
    return *this;
  }

  std::byte* data() { return data_.get(); }
  // Makes room for `size` bytes; the contents are lost when it grows.
  void reserve(size_t size) {
    if (size <= capacity_) return;
    capacity_ = (size + kFrameAlignment - 1) / kFrameAlignment * kFrameAlignment;
    data_.reset(new (std::align_val_t{kFrameAlignment}) std::byte[capacity_]);
  }

 private:
  struct Delete {
    void operator()(std::byte* p) const {
      ::operator delete[](p, std::align_val_t{kFrameAlignment});
    }
  };
  std::unique_ptr<std::byte[], Delete> data_;
  size_t capacity_ = 0;
};

}  // namespace

// The caller's thread hashes the whole object and cuts it into chunks. Chunks go to worker
// threads, started once the object outgrows the cut buffer; a small object is processed
// inline by finish(), with no thread start-up. Memory is bounded by the cut buffer (2 x
// max_size) and kMaxFrames frames (max_size each), whatever the object size.
class ObjectWriter::Impl {
 public:
  Impl(ChunkStore& store, const Chunker& chunker, InflightChunks& inflight, WriterOptions options)
      : store_(store),
        chunker_(chunker),
        inflight_(inflight),
        options_(options),
        max_chunk_(chunker.params().max_size) {}

  ~Impl() {
    stop_workers(/*drop_pending=*/true);
    for (const auto& [id, index] : first_index_) inflight_.unpin(id);
  }

  Status write(std::span<const std::byte> data) {
    COFFER_RETURN_IF_ERROR(current_status());
    if (finished_) return Status(Errc::kInternal, "write after finish");
    while (!data.empty()) {
      if (buf_.size() == buf_.capacity()) make_room(data.size());
      const size_t take = std::min(data.size(), buf_.capacity() - buf_.size());
      buf_.insert(buf_.end(), data.begin(), data.begin() + take);
      object_sha_.update(data.first(take));
      data = data.subspan(take);
      while (buf_.size() - start_ >= max_chunk_) {
        const auto pending = std::span<const std::byte>(buf_).subspan(start_);
        const size_t cut = chunker_.next_boundary(pending, /*at_end=*/false);
        COFFER_RETURN_IF_ERROR(submit(pending.first(cut), /*finishing=*/false));
        start_ += cut;
      }
    }
    return current_status();
  }

  Result<ObjectManifest> finish() {
    COFFER_RETURN_IF_ERROR(current_status());
    if (finished_) return Status(Errc::kInternal, "finish called twice");
    finished_ = true;
    while (start_ < buf_.size()) {
      const auto pending = std::span<const std::byte>(buf_).subspan(start_);
      const size_t cut = chunker_.next_boundary(pending, /*at_end=*/true);
      COFFER_RETURN_IF_ERROR(submit(pending.first(cut), /*finishing=*/true));
      start_ += cut;
    }
    stop_workers(/*drop_pending=*/false);
    COFFER_RETURN_IF_ERROR(current_status());
    buf_ = {};
    spare_frames_.clear();

    ObjectManifest manifest;
    manifest.chunks = std::move(refs_);
    // Repeats of a chunk within this object were not stored again; they share the first
    // occurrence's encoding.
    for (ChunkRef& ref : manifest.chunks) {
      const ChunkRef& first = manifest.chunks[first_index_.at(ref.id)];
      ref.encoding = first.encoding;
      ref.stored_size = first.stored_size;
    }
    manifest.size = next_offset_;
    manifest.sha256 = object_sha_.finish();
    manifest.new_stored_bytes = new_stored_bytes_;
    return manifest;
  }

 private:
  struct Job {
    size_t index;  // in refs_
    size_t size;   // of the chunk
    Frame frame;   // kHeaderSize spare bytes, then the chunk
  };

  Status current_status() {
    std::lock_guard lock(mu_);
    return status_;
  }

  // Frees space in the full cut buffer: drops the bytes already cut or, while none are (the
  // buffer is below max_size), grows it, up to 2 x max_size so that compaction moves at most
  // one byte per byte written. Small uploads never allocate the whole buffer.
  void make_room(size_t wanted) {
    if (start_ > 0) {
      std::memmove(buf_.data(), buf_.data() + start_, buf_.size() - start_);
      buf_.resize(buf_.size() - start_);
      start_ = 0;
      return;
    }
    const size_t full = 2 * size_t{max_chunk_};
    buf_.reserve(
        std::min(full, std::max({2 * buf_.capacity(), buf_.size() + wanted, size_t{64 * 1024}})));
  }

  // Records chunk `data` at the next offset and has it processed.
  Status submit(std::span<const std::byte> data, bool finishing) {
    size_t index;
    {
      std::lock_guard lock(mu_);
      index = refs_.size();
      ChunkRef ref;
      ref.offset = next_offset_;
      ref.size = static_cast<uint32_t>(data.size());
      refs_.push_back(ref);
    }
    next_offset_ += data.size();
    if (workers_.empty() && finishing) return process_inline(index, data);
    if (workers_.empty()) {
      for (int i = 0; i < kWorkers; ++i) workers_.emplace_back([this] { work(); });
    }

    Job job{index, data.size(), {}};
    {
      std::unique_lock lock(mu_);
      space_cv_.wait(lock, [&] { return !status_.is_ok() || frames_in_use_ < kMaxFrames; });
      if (!status_.is_ok()) return status_;
      ++frames_in_use_;
      if (!spare_frames_.empty()) {
        job.frame = std::move(spare_frames_.back());
        spare_frames_.pop_back();
      }
    }
    job.frame.reserve(ChunkCodec::kHeaderSize + data.size());
    std::memcpy(job.frame.data() + ChunkCodec::kHeaderSize, data.data(), data.size());
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
    work_cv_.notify_one();
    return Status::ok();
  }

  void work() {
    std::vector<std::byte> scratch;  // compressed chunks are built here
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      Status status = current_status();
      if (status.is_ok()) {
        const auto frame = std::span(job.frame.data(), ChunkCodec::kHeaderSize + job.size);
        status = process(job.index, frame.subspan(ChunkCodec::kHeaderSize), [&] {
          return ChunkCodec::encode_in_place(frame, scratch, options_.zstd_level);
        });
      }
      std::lock_guard lock(mu_);
      if (!status.is_ok() && status_.is_ok()) status_ = std::move(status);
      --frames_in_use_;
      spare_frames_.push_back(std::move(job.frame));
      space_cv_.notify_all();
    }
  }

  // Waits for the queued chunks to be processed (or drops them) and joins the workers.
  void stop_workers(bool drop_pending) {
    if (workers_.empty()) return;
    {
      std::lock_guard lock(mu_);
      if (drop_pending) {
        frames_in_use_ -= jobs_.size();
        jobs_.clear();
      }
      stopping_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
  }

  Status process_inline(size_t index, std::span<const std::byte> data) {
    EncodedChunk encoded;
    return process(index, data, [&] {
      encoded = ChunkCodec::encode(data, options_.zstd_level);
      return ChunkCodec::EncodedView{encoded.encoding, encoded.bytes};
    });
  }

  // Hashes, pins and stores one chunk (unless the store already has it) and fills in its
  // ChunkRef; `encode` is called only when the chunk must be stored. Called from any thread.
  template <typename Encode>
  Status process(size_t index, std::span<const std::byte> data, Encode encode) {
    const ChunkId id = ChunkId::of(data);
    const uint64_t check = chunk_check(data);
    {
      std::lock_guard lock(mu_);
      refs_[index].id = id;
      refs_[index].check = check;
      if (!first_index_.try_emplace(id, index).second) return Status::ok();
      // Pinned before the store is asked, so that garbage collection cannot remove a chunk
      // between a dedup hit and the metadata commit.
      inflight_.pin(id);
    }
    ChunkEncoding encoding;
    uint64_t stored = 0;
    uint64_t added = 0;
    std::optional<ChunkBatch::Held> held;
    if (options_.batch != nullptr) held = options_.batch->find(id);
    auto present = held ? Result<bool>(true) : store_.touch(id);
    COFFER_RETURN_IF_ERROR(present);
    if (held) {
      encoding = held->encoding;
      stored = held->stored_size;
    } else if (*present) {
      auto existing = describe_stored(id, data.size());
      COFFER_RETURN_IF_ERROR(existing);
      encoding = existing->first;
      stored = existing->second;
    } else {
      // Another upload storing the same chunk at the same time may count it too: the put
      // cannot tell who wrote it. new_stored_bytes is an estimate for statistics.
      const ChunkCodec::EncodedView encoded = encode();
      COFFER_RETURN_IF_ERROR(options_.batch != nullptr
                                 ? options_.batch->add(id, encoded.encoding, encoded.bytes)
                                 : store_.put(id, encoded.bytes));
      encoding = encoded.encoding;
      stored = added = encoded.bytes.size();
    }
    std::lock_guard lock(mu_);
    refs_[index].encoding = encoding;
    refs_[index].stored_size = static_cast<uint32_t>(stored);
    new_stored_bytes_ += added;
    return Status::ok();
  }

  // The encoding and stored size of a chunk the store already holds. The header gives the
  // encoding; only a compressed chunk has to be fetched to learn its size.
  Result<std::pair<ChunkEncoding, uint64_t>> describe_stored(const ChunkId& id, size_t raw_size) {
    std::array<std::byte, ChunkCodec::kHeaderSize> header;
    auto n = store_.read_at(id, 0, header);
    COFFER_RETURN_IF_ERROR(n);
    auto info = ChunkCodec::parse_header(std::span(header).first(*n));
    COFFER_RETURN_IF_ERROR(info);
    if (info->raw_size != raw_size) {
      return Status(Errc::kCorruption, "chunk " + id.hex() + ": stored size mismatch");
    }
    if (info->encoding == ChunkEncoding::kRaw) {
      return std::pair{info->encoding, uint64_t{ChunkCodec::kHeaderSize + raw_size}};
    }
    auto encoded = store_.get(id);
    COFFER_RETURN_IF_ERROR(encoded);
    return std::pair{info->encoding, uint64_t{encoded->size()}};
  }

  ChunkStore& store_;
  const Chunker& chunker_;
  InflightChunks& inflight_;
  const WriterOptions options_;
  const uint32_t max_chunk_;

  // The caller's thread only.
  std::vector<std::byte> buf_;  // the cut buffer; bytes not yet cut start at start_
  size_t start_ = 0;
  uint64_t next_offset_ = 0;
  Sha256 object_sha_;
  bool finished_ = false;
  std::vector<std::thread> workers_;

  std::mutex mu_;
  std::condition_variable work_cv_;   // jobs_ gained a job, or stopping_
  std::condition_variable space_cv_;  // a frame was released
  // GUARDED_BY(mu_):
  Status status_;  // the first failure; final
  std::vector<ChunkRef> refs_;
  std::unordered_map<ChunkId, size_t, ChunkIdHash> first_index_;  // pinned ids
  uint64_t new_stored_bytes_ = 0;
  std::deque<Job> jobs_;
  size_t frames_in_use_ = 0;  // queued or being processed
  std::vector<Frame> spare_frames_;
  bool stopping_ = false;
};

ObjectWriter::ObjectWriter(ChunkStore& store, const Chunker& chunker, InflightChunks& inflight,
                           WriterOptions options)
    : impl_(std::make_unique<Impl>(store, chunker, inflight, options)) {}

ObjectWriter::~ObjectWriter() = default;

Status ObjectWriter::write(std::span<const std::byte> data) { return impl_->write(data); }

Result<ObjectManifest> ObjectWriter::finish() { return impl_->finish(); }

}  // namespace coffer::store
