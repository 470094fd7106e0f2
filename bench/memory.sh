#!/usr/bin/env bash
# Coffer's resident memory around a burst of small requests (issue 14):
#
#   bench/memory.sh
#
# Starts Coffer on a fresh data directory and prints VmRSS / VmHWM / threads when idle, after
# 4 KiB PUTs (wrk, BENCH_PUT_CONNECTIONS connections), after 4 KiB GETs at 64 connections, and
# 5 s later; then the anonymous and file-backed parts of the final RSS (smaps_rollup). The
# wrk runs are the same as bench/run.sh's. Writes nothing into the repository.
#
# Environment (all optional): COFFER_BIN, BENCH_DIR, BENCH_DURATION (default 10),
# BENCH_THREADS, BENCH_PUT_CONNECTIONS (default 16), BENCH_KEEP=1 (see bench/run.sh).
set -uo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh

check_tools
make_work_dir coffer-memory
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
COFFER_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$COFFER_PID"
  finish_cleanup "$rc"
}
trap_cleanup

PUT_CONNECTIONS=${BENCH_PUT_CONNECTIONS:-16}
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
coffer_add_user "$WORK/coffer-data"
start_ms=$(now_ms)
coffer_start "$WORK/coffer-data" "$PORT"
wait_http "$URL/health/live" "$COFFER_PID" >/dev/null || { cat "$WORK/coffer.log" >&2; die "coffer did not start"; }
STARTUP_MS=$(( $(now_ms) - start_ms ))
sleep 1

state() {  # state LABEL: one line of /proc/PID/status figures
  printf '%-28s VmRSS %6.1f MiB  VmHWM %6.1f MiB  threads %s\n' "$1" \
    "$(awk '/^VmRSS:/ { print $2 / 1024 }' "/proc/$COFFER_PID/status")" \
    "$(awk '/^VmHWM:/ { print $2 / 1024 }' "/proc/$COFFER_PID/status")" \
    "$(awk '/^Threads:/ { print $2 }' "/proc/$COFFER_PID/status")"
}
echo "coffer $("$COFFER_BIN" version | awk '{ print $2 }'), load average at start: $LOAD_AT_START," \
     "start-up to first /health/live answer: $STARTUP_MS ms"
state "idle after start"

TOKEN=$(coffer_login "$URL") || die "login failed"
ROOT=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" "$URL/api/v1/folders/root" | json_get id) || die "no root folder"
run_wrk put "-c$PUT_CONNECTIONS" -s bench/put_unique.lua "$URL" -- "/api/v1/folders/$ROOT/files/" "$TOKEN" 4096
state "after 4 KiB PUT c$PUT_CONNECTIONS"
head -c 4096 /dev/urandom >"$WORK/small.bin"
SMALL_ID=$(curl -s --max-time 10 -H 'Expect:' -H "Authorization: Bearer $TOKEN" -T "$WORK/small.bin" \
  "$URL/api/v1/folders/$ROOT/files/small.bin" | json_get id) || die "4 KiB upload failed"
run_wrk get -c64 -H "Authorization: Bearer $TOKEN" "$URL/api/v1/files/$SMALL_ID/content"
state "after 4 KiB GET c64"
sleep 5
state "5 s later"
awk '$1 == "Anonymous:" || $1 == "Pss_File:" || $1 == "Pss_Anon:" { printf "  %s %.1f MiB", $1, $2 / 1024 } END { print "" }' \
  "/proc/$COFFER_PID/smaps_rollup"
echo "4 KiB PUT c$PUT_CONNECTIONS: ${R[put.ops]} ops/s; 4 KiB GET c64: ${R[get.ops]} ops/s"
for w in "${WARN[@]}"; do echo "warning: $w"; done
