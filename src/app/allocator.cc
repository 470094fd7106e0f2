// The allocator: jemalloc, linked into the coffer binary (CMakeLists.txt), configured here.
//
// Why not glibc malloc: with 64 worker threads glibc keeps up to 8 arenas per core, and memory
// freed in an arena other than the main one goes back to the system only when the top of that
// arena's heap is free. After a burst of small uploads each arena kept the upload buffers it
// had handed out: 124 MiB resident after 4 KiB PUTs at 64 connections, against 74 MiB with
// jemalloc as configured below (docs/benchmarks.md, "Memory"). Throughput was unchanged.
//
// jemalloc reads this string once, before the first allocation (the symbol is looked up by
// name; Debian's libjemalloc is built without a symbol prefix). MALLOC_CONF in the environment
// still overrides it, for experiments.
//   background_thread:true   a background thread returns freed pages to the system, so an
//                            idle server shrinks without any request having to call into
//                            the allocator;
//   max_background_threads:1 one such thread is plenty for a few hundred MiB;
//   dirty_decay_ms:1000      freed pages are kept for 1 s (reused by the next burst without
//                            page faults), then purged (the default is 10 s);
//   muzzy_decay_ms:0         and then given back at once rather than kept lazily.
extern "C" {
// NOLINTNEXTLINE: the name is jemalloc's.
const char* malloc_conf =
    "background_thread:true,max_background_threads:1,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
