#!/usr/bin/env bash
# Upload and download throughput through one Coffer node and through two nodes behind nginx
# (deploy/nginx/coffer.conf), on SQLite + local disk and on PostgreSQL + S3, in one run.
#
#   bench/scaleout.sh        (after `make build`)
#
# For each set-up: one node alone, then two nodes over the same metadata and chunks with
# nginx in front (round robin). Each round runs BENCH_CLIENTS transfers of a distinct random
# file at once (curl), uploads then downloads; the table gives the median aggregate MB/s.
# SQLite + disk: both nodes share one data directory. PostgreSQL + S3: a throw-away cluster
# (tests/integration/postgres_cluster.py, needs the postgresql package and root) and the npm
# s3rver test server (tests/s3) — a Node.js process writing files, far slower than MinIO or
# AWS: those rows measure s3rver as much as Coffer.
#
# Environment (all optional):
#   COFFER_BIN      server binary                   (default: build/coffer)
#   BENCH_MIB       size of each file in MiB         (default: 256; 1024 for 1 GiB)
#   BENCH_REPEAT    rounds per configuration         (default: 3)
#   BENCH_CLIENTS   transfers at once                (default: 2)
#   BENCH_DIR       parent of the temp directory     (default: $TMPDIR or /tmp)
#   BENCH_KEEP=1    keep the temp directory and logs
#
# Needs curl, nginx, postgresql (scripts/install-deps) and tests/s3/node_modules (make does).
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/scaleout.py
