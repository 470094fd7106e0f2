#!/usr/bin/env bash
# Search latency (p50 / p95 through the HTTP API) over 100,000 files with synthetic names and
# text, on SQLite FTS5. See bench/search_bench.py; results in docs/benchmarks.md.
#
#   bench/search.sh           (BENCH_FILES, BENCH_QUERIES, COFFER_BIN override the defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
COFFER_BIN=${COFFER_BIN:-$PWD/build/coffer} exec /usr/bin/python3 bench/search_bench.py
