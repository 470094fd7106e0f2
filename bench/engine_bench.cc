// Throughput of the storage engine's parts (chunker, codec, hashing, object writer/reader),
// with Google Benchmark. Built by `make bench` (target coffer_engine_bench):
//
//   cmake --build build --target coffer_engine_bench && build/coffer_engine_bench
//
// BM_ObjectWriterToDisk writes into a temp directory under $TMPDIR (or /tmp), fsync included,
// through the page cache (/0) or with O_DIRECT (/1).

#include <benchmark/benchmark.h>

#include <filesystem>

#include "store/chunk_codec.h"
#include "store/chunker.h"
#include "store/local_chunk_store.h"
#include "store/object_reader.h"
#include "store/object_writer.h"
#include "store_test_util.h"

namespace coffer::store {
namespace {

using testing::compressible_bytes;
using testing::MemoryChunkStore;
using testing::random_bytes;
using testing::TempDir;

constexpr size_t kObjectSize = 256 << 20;
constexpr size_t kPiece = 256 << 10;  // what a socket read might hand over

const std::vector<std::byte>& random_object() {
  static const auto data = random_bytes(kObjectSize, 1);
  return data;
}

// Makes every chunk of the next upload new, so that nothing deduplicates.
void perturb(std::vector<std::byte>& data, uint64_t round) {
  for (size_t i = 0; i < data.size(); i += 64 << 10) data[i] ^= std::byte(round | 1);
}

void BM_Chunker(benchmark::State& state) {
  const auto& data = random_object();
  const Chunker chunker;
  for (auto _ : state) {
    std::span<const std::byte> rest = data;
    size_t chunks = 0;
    while (!rest.empty()) {
      rest = rest.subspan(chunker.next_boundary(rest, true));
      ++chunks;
    }
    benchmark::DoNotOptimize(chunks);
  }
  state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_Chunker)->Unit(benchmark::kMillisecond);

void BM_ChunkId(benchmark::State& state) {
  const auto data = random_bytes(1 << 20, 2);
  for (auto _ : state) benchmark::DoNotOptimize(ChunkId::of(data));
  state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_ChunkId);

void BM_Encode(benchmark::State& state) {
  const auto data = state.range(0) ? compressible_bytes(1 << 20, 3) : random_bytes(1 << 20, 3);
  for (auto _ : state) benchmark::DoNotOptimize(ChunkCodec::encode(data));
  state.SetBytesProcessed(state.iterations() * data.size());
  state.SetLabel(state.range(0) ? "text" : "random");
}
BENCHMARK(BM_Encode)->Arg(0)->Arg(1);

void BM_Decode(benchmark::State& state) {
  const auto data = state.range(0) ? compressible_bytes(1 << 20, 4) : random_bytes(1 << 20, 4);
  const ChunkId id = ChunkId::of(data);
  const auto encoded = ChunkCodec::encode(data).bytes;
  for (auto _ : state) benchmark::DoNotOptimize(ChunkCodec::decode(encoded, id));
  state.SetBytesProcessed(state.iterations() * data.size());
  state.SetLabel(state.range(0) ? "text" : "random");
}
BENCHMARK(BM_Decode)->Arg(0)->Arg(1);

void write_object(ChunkStore& store, std::span<const std::byte> data) {
  static const Chunker chunker;
  static InflightChunks inflight;
  ObjectWriter writer(store, chunker, inflight);
  for (size_t at = 0; at < data.size(); at += kPiece) {
    if (!writer.write(data.subspan(at, std::min(kPiece, data.size() - at))).is_ok()) std::abort();
  }
  if (!writer.finish().is_ok()) std::abort();
}

// A store that keeps nothing: what is left is the writer's own work (hashing, chunking,
// encoding, hand-off between threads).
class DiscardingStore : public MemoryChunkStore {
 public:
  Status put(const ChunkId&, std::span<const std::byte>) override { return Status::ok(); }
  Result<bool> touch(const ChunkId&) override { return false; }
};

void BM_ObjectWriterPipeline(benchmark::State& state) {
  const auto& data = random_object();
  DiscardingStore store;
  for (auto _ : state) write_object(store, data);
  state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_ObjectWriterPipeline)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);

void BM_ObjectWriterToDisk(benchmark::State& state) {
  auto data = random_object();
  uint64_t round = 0;
  TempDir dir;
  for (auto _ : state) {
    state.PauseTiming();
    perturb(data, ++round);
    std::filesystem::remove_all(dir.path() + "/chunks");
    auto store = LocalChunkStore::open(dir.path() + "/chunks", {.direct_io = state.range(0) == 1});
    if (!store.is_ok()) std::abort();
    state.ResumeTiming();
    write_object(**store, data);
  }
  state.SetBytesProcessed(state.iterations() * data.size());
  state.SetLabel(state.range(0) == 1 ? "direct_io" : "page cache");
}
BENCHMARK(BM_ObjectWriterToDisk)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(5);

void BM_ObjectReaderFromDisk(benchmark::State& state) {
  const auto& data = random_object();
  TempDir dir;
  auto store = LocalChunkStore::open(dir.path() + "/chunks");
  const Chunker chunker;
  InflightChunks inflight;
  ObjectWriter writer(**store, chunker, inflight);
  if (!writer.write(data).is_ok()) std::abort();
  auto manifest = writer.finish();
  std::vector<std::byte> buf(1 << 20);
  for (auto _ : state) {
    ObjectReader reader(**store, manifest->chunks, 0, data.size());
    while (*reader.read(buf) > 0) {
    }
  }
  state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_ObjectReaderFromDisk)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace coffer::store

BENCHMARK_MAIN();
