#!/usr/bin/env bash
# Small-file rates as the store grows: fills a fresh Coffer store with 4 KiB files through
# /dav/ and samples PUT and GET rates and the disk cost per file along the way.
#
#   bench/growth.sh                     (defaults: up to 1,000,000 files)
#   BENCH_FILES=100000 bench/growth.sh  (a shorter curve)
#
# Each slice PUTs unique 4 KiB files (bench/put_unique.lua, 16 connections, BENCH_SLICE
# seconds) into a folder of its own (s1/, s2/, ...; 10,000-file folders are what sync clients
# make), which is the PUT sample at that fill level; then GETs files picked at random from every
# slice so far (bench/get_random.lua, 64 connections, BENCH_GET seconds). After each slice it
# records the files stored, both rates with their p99, and the data directory's size per file
# (`du`, metadata and chunk store together). The first slice is the empty-store reference; the
# table ends with the last slice's rates as ratios of the first's.
#
# Environment (all optional): BENCH_FILES (1000000), BENCH_SLICE (20), BENCH_GET (5),
# BENCH_MAX_SLICES (500), BENCH_THREADS (2), BENCH_DIR, COFFER_BIN, BENCH_KEEP=1.
# Runs with Coffer's default settings (rate limits included): non-2xx answers are reported.
set -uo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
# shellcheck source=bench/lib.sh
. bench/lib.sh

FILES=${BENCH_FILES:-1000000}
SLICE=${BENCH_SLICE:-20}
GET_S=${BENCH_GET:-5}
MAX_SLICES=${BENCH_MAX_SLICES:-500}

check_tools
make_work_dir coffer-growth
COFFER_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$COFFER_PID"
  finish_cleanup "$rc"
}
trap_cleanup

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
coffer_add_user "$WORK/coffer-data"
"$COFFER_BIN" serve --data "$WORK/coffer-data" --listen "127.0.0.1:$PORT" --log-level warn \
  --token-ttl 3600 2>"$WORK/coffer.log" &
COFFER_PID=$!
wait_http "$BASE/health/live" "$COFFER_PID" >/dev/null || { cat "$WORK/coffer.log" >&2; die "coffer did not start"; }
ACCESS=$(coffer_login "$BASE") || die "login failed"
API_TOKEN=$(curl -s --max-time 10 "$BASE/api/v1/auth/tokens" -H "Authorization: Bearer $ACCESS" \
  -H 'Content-Type: application/json' -d '{"name":"growth","scopes":"files:read files:write"}' \
  | json_get token) || die "creating an API token failed"
BASIC="Basic $(printf '%s:%s' "$USER_NAME" "$API_TOKEN" | base64 -w0)"

# wrk_sample FILE -> "requests ops p99_ms non2xx" of a finished wrk run
wrk_sample() {
  awk '/requests in/ { req = $1 }
       /^Requests\/sec:/ { ops = $2 }
       /Non-2xx or 3xx responses:/ { bad = $NF }
       $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                     p99 = v * ((u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : 1) }
       END { printf "%d %.0f %.2f %d\n", req, ops, p99, bad + 0 }' "$1"
}

log "filling up to $FILES files, ${SLICE}s PUT + ${GET_S}s GET per slice"
printf '%8s %10s %10s %10s %10s %10s %8s %8s\n' files put/s put_p99 get/s get_p99 bytes/file put_bad get_bad | tee "$WORK/table.txt"
total=0
min_per_thread=
first_put= first_get= last_put= last_get=
for slice in $(seq 1 "$MAX_SLICES"); do
  [ "$total" -ge "$FILES" ] && break
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: $BASIC" -X MKCOL "$BASE/dav/s$slice/")
  [ "$code" = 201 ] || die "MKCOL s$slice/: HTTP $code"
  timeout $((SLICE + 30)) wrk -t"$THREADS" -c16 -d"${SLICE}s" --timeout 10s --latency \
    -s bench/put_unique.lua "$BASE" -- "/dav/s$slice/" "$BASIC" 4096 >"$WORK/put.txt" 2>&1 || die "wrk PUT failed"
  read -r req put_ops put_p99 put_bad < <(wrk_sample "$WORK/put.txt")
  total=$((total + req - put_bad))
  # A lower bound of what each wrk thread created in this slice (threads share the load).
  per_thread=$(( (req - put_bad) * 8 / 10 / THREADS ))
  [ -z "$min_per_thread" ] || [ "$per_thread" -lt "$min_per_thread" ] && min_per_thread=$per_thread
  timeout $((GET_S + 30)) wrk -t"$THREADS" -c64 -d"${GET_S}s" --timeout 10s --latency \
    -s bench/get_random.lua "$BASE" -- "$BASIC" "$slice" "$min_per_thread" "$THREADS" >"$WORK/get.txt" 2>&1 || die "wrk GET failed"
  read -r _ get_ops get_p99 get_bad < <(wrk_sample "$WORK/get.txt")
  [ "$get_bad" -gt 0 ] && log "GET non-2xx after $total files: $(grep '^statuses:' "$WORK/get.txt")"
  bytes=$(du -sb "$WORK/coffer-data" | cut -f1)
  printf '%8d %10s %10s %10s %10s %10.0f %8d %8d\n' "$total" "$put_ops" "$put_p99" "$get_ops" "$get_p99" \
    "$(awk -v b="$bytes" -v n="$total" 'BEGIN { print (n > 0) ? b / n : 0 }')" "$put_bad" "$get_bad" | tee -a "$WORK/table.txt"
  [ -z "$first_put" ] && first_put=$put_ops && first_get=$get_ops
  last_put=$put_ops; last_get=$get_ops
done
echo "last/first: PUT $(ratio "$last_put" "$first_put"), GET $(ratio "$last_get" "$first_get"); RSS $(( $(rss_kb "$COFFER_PID" VmRSS) / 1024 )) MiB; load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
