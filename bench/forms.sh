#!/usr/bin/env bash
# Many small files through the REST API, one request at a time: as multipart forms of
# BENCH_FORM_BATCH files each (committed as one group per form) against one raw PUT per file,
# in one run on one coffer (bench/form_upload.py). Every upload is durable before its answer
# in both ways.
#
#   bench/forms.sh
#
# Environment: COFFER_BIN, BENCH_DIR, BENCH_KEEP=1, BENCH_COFFER_ARGS as bench/run.sh;
# BENCH_FILES (2000), BENCH_FORM_BATCH (100), BENCH_FILE_SIZE (4096).
set -uo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
REPEAT=1

check_tools
coffer_alone coffer-forms-bench
/usr/bin/python3 bench/form_upload.py "$C_URL" "$TOKEN" "${BENCH_FILES:-2000}" \
  "${BENCH_FORM_BATCH:-100}" "${BENCH_FILE_SIZE:-4096}" || die "form upload bench failed"
