#!/usr/bin/env bash
# The cost of compressing answers (api/response_compression.h): a folder listing of 200 files
# (GET /api/v1/folders/{id}/children?limit=200, ~60 KB of JSON) and a PROPFIND Depth 1 of the
# same folder, each asked without compression, with gzip and with zstd, at 16 connections.
# Prints ops/s, p99 and the bytes on the wire per answer.
#
#   bench/compression.sh      (COFFER_BIN, BENCH_DURATION (10), BENCH_THREADS (2) as bench/run.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh
check_tools
coffer_alone coffer-compression-bench
declare -A R
WARN=()

ROOT=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" "$C_URL/api/v1/folders/root" | json_get id)
FOLDER=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"parent_id\": $ROOT, \"name\": \"listing\"}" "$C_URL/api/v1/folders" | json_get id)
log "filling a folder of 200 files"
for i in $(seq -w 1 200); do
  curl -s -o /dev/null --max-time 10 -H 'Expect:' -H "Authorization: Bearer $TOKEN" \
    --data-binary "file $i" -X PUT "$C_URL/api/v1/folders/$FOLDER/files/report-$i.txt" || die "upload failed"
done
LIST="$C_URL/api/v1/folders/$FOLDER/children?limit=200"
BASIC=$(printf '%s:%s' "$USER_NAME" "$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"bench","scopes":["files:read"]}' \
  "$C_URL/api/v1/auth/tokens" | json_get token)" | base64 -w0)

bytes() {  # bytes ENCODING URL [METHOD]: the body's size on the wire
  curl -s --max-time 10 -o /dev/null -w '%{size_download}' -H "Accept-Encoding: $1" \
    -H "Authorization: Basic $BASIC" -H 'Depth: 1' -X "${3:-GET}" "$2"
}
printf '%-10s %-10s %10s %8s %10s\n' answer encoding ops/s p99_ms bytes
for enc in identity gzip zstd; do
  run_wrk "list-$enc" -c16 -H "Authorization: Basic $BASIC" -H "Accept-Encoding: $enc" "$LIST"
  printf '%-10s %-10s %10s %8s %10s\n' listing "$enc" "${R[list-$enc.ops]}" "${R[list-$enc.p99]}" "$(bytes "$enc" "$LIST")"
done
cat >"$WORK/propfind.lua" <<'LUA'
wrk.method = "PROPFIND"
wrk.headers["Depth"] = "1"
LUA
for enc in identity gzip zstd; do
  run_wrk "dav-$enc" -c16 -s "$WORK/propfind.lua" -H "Authorization: Basic $BASIC" -H "Accept-Encoding: $enc" "$C_URL/dav/listing/"
  printf '%-10s %-10s %10s %8s %10s\n' propfind "$enc" "${R[dav-$enc.ops]}" "${R[dav-$enc.p99]}" "$(bytes "$enc" "$C_URL/dav/listing/" PROPFIND)"
done
for w in "${WARN[@]}"; do log "warning: $w"; done
