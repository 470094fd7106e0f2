#!/usr/bin/env bash
# Coffer's S3 API against its own REST API, side by side in one run, on loopback (the issue's
# aim: the S3 listener at >= 0.9x of REST for small objects).
#
#   bench/s3.sh
#
# Measures, through both APIs of one coffer: 4 KiB uploads at 16 connections (every request a
# new object with unique content) and 4 KiB downloads at 64 connections (one object read over
# and over), with wrk (ops/s and p99); and one large object uploaded and downloaded: through
# both by curl (one PUT, one GET), and by aws-cli through S3 (a multipart upload of 8 MiB
# parts, 10 at a time, as aws-cli does by default), MB/s = 10^6 B/s. wrk cannot sign requests, so its S3
# requests carry presigned query strings made beforehand (bench/s3_presign.py): the server
# verifies the same SigV4 HMAC chain as for an Authorization header, the payload unsigned.
#
# Environment: COFFER_BIN, BENCH_DIR, BENCH_DURATION (10), BENCH_THREADS (2), BENCH_BIG_MIB
# (1024), BENCH_KEEP=1, BENCH_COFFER_ARGS, as bench/run.sh. Needs wrk, curl, aws-cli, and
# Debian's python3-boto3 (scripts/install-deps).
set -uo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh
REPEAT=1
PY=/usr/bin/python3
AWS=/usr/bin/aws

check_tools
[ -x "$AWS" ] || die "$AWS not found (scripts/install-deps installs awscli)"
make_work_dir coffer-s3-bench
COFFER_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$COFFER_PID"
  finish_cleanup "$rc"
}
trap_cleanup

make_inputs
PORT=$(free_port)
S3_PORT=$(free_port)
[ "$PORT" != "$S3_PORT" ] || S3_PORT=$(free_port)
C_URL=http://127.0.0.1:$PORT
S3_URL=http://127.0.0.1:$S3_PORT
coffer_add_user "$WORK/coffer-data"
BENCH_COFFER_ARGS="--s3-listen 127.0.0.1:$S3_PORT ${BENCH_COFFER_ARGS:-}"
coffer_start "$WORK/coffer-data" "$PORT"
wait_http "$C_URL/health/live" "$COFFER_PID" >/dev/null || { cat "$WORK/coffer.log" >&2; die "coffer did not start"; }
TOKEN=$(coffer_login "$C_URL") || die "login failed"
AUTH="Authorization: Bearer $TOKEN"
KEY_JSON=$(curl -s --max-time 10 -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"name":"bench"}' "$C_URL/api/v1/auth/s3-keys")
KEY_ID=$(json_get access_key_id <<<"$KEY_JSON") || die "no S3 key: $KEY_JSON"
SECRET=$(json_get secret_access_key <<<"$KEY_JSON")
export AWS_ACCESS_KEY_ID=$KEY_ID AWS_SECRET_ACCESS_KEY=$SECRET AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=$WORK/aws-config AWS_SHARED_CREDENTIALS_FILE=$WORK/aws-credentials
"$AWS" --endpoint-url "$S3_URL" s3 mb s3://s3bench >/dev/null || die "cannot make the bucket"
"$AWS" --endpoint-url "$S3_URL" s3 mb s3://restbench >/dev/null || die "cannot make the bucket"
folder_id() {  # folder_id NAME: the id of a top-level folder
  curl -s --max-time 10 -H "$AUTH" "$C_URL/api/v1/folders/$(curl -s -H "$AUTH" "$C_URL/api/v1/folders/root" | json_get id)/children?limit=1000" |
    "$PYTHON" -c "import json,sys; print(next(n['id'] for n in json.load(sys.stdin)['items'] if n['name'] == '$1'))"
}
REST_FOLDER=$(folder_id restbench)

# ---------------------------------------------------------------------------------------------
# 4 KiB uploads, then downloads of one object. Enough distinct PUT URLs for the fastest rate
# seen (a few thousand per second) over the whole run.
log "presigning"
"$PY" bench/s3_presign.py "$S3_URL" "$KEY_ID" "$SECRET" PUT s3bench o- $((DURATION * 5000)) > "$WORK/put-urls" || die "presign failed"
"$PY" bench/s3_presign.py "$S3_URL" "$KEY_ID" "$SECRET" GET s3bench small.bin 1 > "$WORK/get-url" || die "presign failed"
"$AWS" --endpoint-url "$S3_URL" s3 cp "$WORK/src/small.bin" s3://s3bench/small.bin0 >/dev/null || die "small upload failed"
code=$(curl -s -o "$WORK/resp.json" -w '%{http_code}' -H "$AUTH" -T "$WORK/src/small.bin" "$C_URL/api/v1/folders/$REST_FOLDER/files/small.bin")
[ "$code" = 201 ] || die "REST small upload: HTTP $code"
SMALL_ID=$(json_get id < "$WORK/resp.json")

settle
run_wrk s3_put -c16 -s bench/presigned.lua "$S3_URL" -- PUT "$WORK/put-urls" "$THREADS" 4096
settle
run_wrk rest_put -c16 -s bench/put_unique.lua "$C_URL" -- "/api/v1/folders/$REST_FOLDER/files/" "$TOKEN" 4096
settle
run_wrk s3_get -c64 -s bench/presigned.lua "$S3_URL" -- GET "$WORK/get-url" 1
settle
run_wrk rest_get -c64 -H "$AUTH" "$C_URL/api/v1/files/$SMALL_ID/content"

# ---------------------------------------------------------------------------------------------
# The large object, by curl through both APIs (S3: one presigned PUT and GET, as REST: one
# PUT and GET), then by aws-cli as people use it: a multipart upload of 8 MiB parts, 10 at a
# time, and a download in ranged GETs. aws-cli is Python and shares the 2 cores: its figures
# are the client's as much as the server's.
timed() {  # timed CMD...: runs it, prints seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>"$WORK/timed.err" || { cat "$WORK/timed.err" >&2; die "$* failed"; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}
"$PY" bench/s3_presign.py "$S3_URL" "$KEY_ID" "$SECRET" PUT s3bench big-curl 1 > "$WORK/big-put-url" || die "presign failed"
"$PY" bench/s3_presign.py "$S3_URL" "$KEY_ID" "$SECRET" GET s3bench big-curl 1 > "$WORK/big-get-url" || die "presign failed"
settle
s3_up_s=$(timed curl -sf -o /dev/null -H 'Expect:' -T "$WORK/src/big-1.bin" "$S3_URL$(cat "$WORK/big-put-url")")
settle
rest_up_s=$(timed curl -sf -o /dev/null -H 'Expect:' -H "$AUTH" -T "$WORK/src/big-1.bin" "$C_URL/api/v1/folders/$REST_FOLDER/files/big.bin")
BIG_ID=$(curl -s -H "$AUTH" "$C_URL/api/v1/folders/$REST_FOLDER/children?limit=1000" |
  "$PYTHON" -c "import json,sys; print(next(n['id'] for n in json.load(sys.stdin)['items'] if n['name'] == 'big.bin'))")
settle
s3_down_s=$(timed curl -sf -o /dev/null "$S3_URL$(cat "$WORK/big-get-url")")
settle
rest_down_s=$(timed curl -sf -o /dev/null -H "$AUTH" "$C_URL/api/v1/files/$BIG_ID/content")
settle
head -c "$BIG_BYTES" /dev/urandom > "$WORK/src/big-2.bin"
cli_up_s=$(timed "$AWS" --endpoint-url "$S3_URL" s3 cp "$WORK/src/big-2.bin" s3://s3bench/big-cli.bin)
settle
cli_down_s=$(timed "$AWS" --endpoint-url "$S3_URL" s3 cp s3://s3bench/big-cli.bin "$WORK/big-cli.bin")
cmp -s "$WORK/big-cli.bin" "$WORK/src/big-2.bin" || die "the aws-cli download differs"
rm -f "$WORK/big-cli.bin"
rate() { awk -v b="$BIG_BYTES" -v s="$1" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }

row() { printf '| %-40s | %10s | %10s | %6s |\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
echo
echo "coffer $("$COFFER_BIN" version 2>/dev/null | awk '{ print $2 }'): S3 API vs REST API of one server," \
     "$(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'); wrk -t$THREADS, ${DURATION}s each; load at start: $LOAD_AT_START"
echo
printf '| %-40s | %10s | %10s | %6s |\n' metric S3 REST ratio
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..42})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..8})"
row "4 KiB upload c16, ops/s" "${R[s3_put.ops]}" "${R[rest_put.ops]}"
row "4 KiB upload c16, p99 ms" "${R[s3_put.p99]}" "${R[rest_put.p99]}"
row "4 KiB download c64, ops/s" "${R[s3_get.ops]}" "${R[rest_get.ops]}"
row "4 KiB download c64, p99 ms" "${R[s3_get.p99]}" "${R[rest_get.p99]}"
row "$BIG_LABEL upload (curl), MB/s" "$(rate "$s3_up_s")" "$(rate "$rest_up_s")"
row "$BIG_LABEL download (curl), MB/s" "$(rate "$s3_down_s")" "$(rate "$rest_down_s")"
echo
echo "aws-cli (multipart upload, 8 MiB parts x 10; ranged download): $BIG_LABEL up $(rate "$cli_up_s") MB/s, down $(rate "$cli_down_s") MB/s"
for w in "${WARN[@]}"; do echo "warning: $w"; done
