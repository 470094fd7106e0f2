#!/usr/bin/env bash
# Coffer against nginx (WebDAV PUT, sendfile), side by side in one run, on loopback.
#
#   bench/run.sh            (or: make bench, which builds first)
#
# Measures for both servers: 1 GiB upload and download (curl, MB/s = 10^6 bytes/s, median of
# BENCH_REPEAT runs, each upload a different random file so Coffer cannot deduplicate), 4 KiB
# uploads at 16 connections and 4 KiB downloads at 64 connections (wrk, ops/s and p99); and
# Coffer's idle RSS, its peak RSS during the 1 GiB uploads and its start-up time. Prints one
# table; writes nothing into the repository. Everything lives in a temp directory that is
# removed on exit (Ctrl-C included), and both servers are stopped.
#
# Environment (all optional):
#   COFFER_BIN      server binary                    (default: build/coffer)
#   BENCH_DIR       parent of the temp directory     (default: $TMPDIR or /tmp); same disk for both
#   BENCH_DURATION  seconds per wrk run              (default: 10)
#   BENCH_REPEAT    1 GiB transfers per server       (default: 3; the median is reported)
#   BENCH_BIG_MIB   size of the large file in MiB    (default: 1024)
#   BENCH_THREADS   wrk threads                      (default: 2)
#   COFFER_PORT / NGINX_PORT   loopback ports        (default: free ports chosen at start)
#   NGINX_BIN       (default: /usr/sbin/nginx)
#   BENCH_KEEP=1    keep the temp directory and logs for inspection
#   BENCH_COFFER_ARGS extra `coffer serve` flags (default: none, the default settings)
#
# Needs curl, wrk, nginx (scripts/install-deps) and python3. Expect about 3 minutes at defaults.
set -uo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)

# shellcheck source=bench/lib.sh
. bench/lib.sh

check_tools
[ -x "$NGINX_BIN" ] || die "$NGINX_BIN not found (scripts/install-deps installs nginx)"
make_work_dir coffer-bench
COFFER_PID=
NGINX_PID=
SAMPLER_PID=

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
  stop_pid "$COFFER_PID"
  stop_pid "$NGINX_PID"
  finish_cleanup "$rc"
}
trap_cleanup

COFFER_PORT=${COFFER_PORT:-$(free_port)}
NGINX_PORT=${NGINX_PORT:-$(free_port)}
[ "$COFFER_PORT" != "$NGINX_PORT" ] || NGINX_PORT=$(free_port)
C_URL=http://127.0.0.1:$COFFER_PORT
N_URL=http://127.0.0.1:$NGINX_PORT

make_inputs

# ---------------------------------------------------------------------------------------------
# nginx: WebDAV PUT with default body buffers, sendfile, 2 workers, no access log.
NGX=$WORK/nginx
nginx_start "$NGX" "$NGINX_PORT" "dav_methods PUT;"

# ---------------------------------------------------------------------------------------------
# Coffer: fresh data directory, one user, access logs off.
coffer_add_user "$WORK/coffer-data"
start_ms=$(now_ms)
coffer_start "$WORK/coffer-data" "$COFFER_PORT"
wait_http "$C_URL/health/live" "$COFFER_PID" >/dev/null || { cat "$WORK/coffer.log" >&2; die "coffer did not start"; }
STARTUP_MS=$(( $(now_ms) - start_ms ))
wait_http "$N_URL/" "$NGINX_PID" >/dev/null || { cat "$NGX/logs/error.log" >&2; die "nginx did not start"; }
log "coffer pid $COFFER_PID on :$COFFER_PORT, nginx pid $NGINX_PID on :$NGINX_PORT"
sleep 1
IDLE_RSS_KB=$(rss_kb "$COFFER_PID" VmRSS)

TOKEN=$(coffer_login "$C_URL") || die "login failed"
AUTH="Authorization: Bearer $TOKEN"
ROOT=$(curl -s --max-time 10 -H "$AUTH" "$C_URL/api/v1/folders/root" | json_get id) || die "no root folder"
C_FILES=$C_URL/api/v1/folders/$ROOT/files

# ---------------------------------------------------------------------------------------------
# 1 GiB uploads. "Expect:" is cleared so curl does not wait for a 100 Continue (same for both).
declare -a c_up n_up c_down n_down
BIG_ID=
HWM_UPLOAD_KB=0
SAMPLED_MAX_KB=0
hwm_reset=yes

upload_big() {  # upload_big URL FILE [curl args...] -> prints "HTTP_CODE SPEED BODYFILE"
  local url=$1 file=$2; shift 2
  curl -s -o "$WORK/resp.json" -H 'Expect:' --max-time 300 -w '%{http_code} %{speed_upload}' \
    -T "$file" "$@" "$url"
}

for i in $(seq "$REPEAT"); do
  settle
  # Peak RSS of this upload alone: reset VmHWM (clear_refs 5), sample VmRSS meanwhile.
  kill -0 "$COFFER_PID" 2>/dev/null || { cat "$WORK/coffer.log" >&2; die "coffer exited"; }
  echo 5 > "/proc/$COFFER_PID/clear_refs" 2>/dev/null || hwm_reset=no
  rm -f "$WORK/rss.max"
  ( max=0
    for _ in $(seq 6000); do
      r=$(rss_kb "$COFFER_PID" VmRSS); [ -n "$r" ] && [ "$r" -gt "$max" ] && max=$r && echo "$max" > "$WORK/rss.max"
      sleep 0.05
    done ) &
  SAMPLER_PID=$!
  read -r code speed < <(upload_big "$C_FILES/big-$i.bin" "$WORK/src/big-$i.bin" -H "$AUTH")
  kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null; SAMPLER_PID=
  [ "$code" = 201 ] || { cat "$WORK/resp.json" >&2; die "coffer 1 GiB upload: HTTP $code"; }
  hwm=$(rss_kb "$COFFER_PID" VmHWM); hwm=${hwm:-0}
  [ "$hwm" -gt "$HWM_UPLOAD_KB" ] && HWM_UPLOAD_KB=$hwm
  s=$(cat "$WORK/rss.max" 2>/dev/null || echo 0)
  [ "$s" -gt "$SAMPLED_MAX_KB" ] && SAMPLED_MAX_KB=$s
  [ -z "$BIG_ID" ] && BIG_ID=$(json_get id < "$WORK/resp.json")
  c_up+=("$(mb_per_s "$speed")")
  log "coffer upload $i: $(mb_per_s "$speed") MB/s, VmHWM $((hwm / 1024)) MiB"

  settle
  read -r code speed < <(upload_big "$N_URL/big-$i.bin" "$WORK/src/big-$i.bin")
  [ "$code" = 201 ] || die "nginx 1 GiB upload: HTTP $code"
  n_up+=("$(mb_per_s "$speed")")
  log "nginx  upload $i: $(mb_per_s "$speed") MB/s"
done
POST_UPLOAD_RSS_KB=$(rss_kb "$COFFER_PID" VmRSS)

# ---------------------------------------------------------------------------------------------
# 1 GiB downloads of the first uploaded file (warm page cache on both sides after one pass).
download_big() {  # download_big URL [curl args...] -> prints "HTTP_CODE SPEED SIZE"
  local url=$1; shift
  curl -s -o /dev/null --max-time 300 -w '%{http_code} %{speed_download} %{size_download}' "$@" "$url"
}
settle
for i in $(seq "$REPEAT"); do
  read -r code speed size < <(download_big "$C_URL/api/v1/files/$BIG_ID/content" -H "$AUTH")
  [ "$code" = 200 ] && [ "$size" = "$BIG_BYTES" ] || die "coffer 1 GiB download: HTTP $code, $size bytes"
  c_down+=("$(mb_per_s "$speed")")
  read -r code speed size < <(download_big "$N_URL/big-1.bin")
  [ "$code" = 200 ] && [ "$size" = "$BIG_BYTES" ] || die "nginx 1 GiB download: HTTP $code, $size bytes"
  n_down+=("$(mb_per_s "$speed")")
  log "download $i: coffer ${c_down[-1]} MB/s, nginx ${n_down[-1]} MB/s"
done

# ---------------------------------------------------------------------------------------------
# 4 KiB: wrk. PUTs create unique files with unique contents; GETs read one pre-uploaded file.

settle
run_wrk c_put -c16 -s bench/put_unique.lua "$C_URL" -- "/api/v1/folders/$ROOT/files/" "$TOKEN" 4096
settle
run_wrk n_put -c16 -s bench/put_unique.lua "$N_URL" -- "/put/" "" 4096

code=$(curl -s -o "$WORK/resp.json" -w '%{http_code}' --max-time 10 -H 'Expect:' -H "$AUTH" -T "$WORK/src/small.bin" "$C_FILES/small.bin")
[ "$code" = 201 ] || { cat "$WORK/resp.json" >&2; die "coffer 4 KiB upload: HTTP $code"; }
SMALL_ID=$(json_get id < "$WORK/resp.json")
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Expect:' -T "$WORK/src/small.bin" "$N_URL/small.bin")
[ "$code" = 201 ] || die "nginx 4 KiB upload: HTTP $code"
settle
run_wrk c_get -c64 -H "$AUTH" "$C_URL/api/v1/files/$SMALL_ID/content"
run_wrk n_get -c64 "$N_URL/small.bin"
END_HWM_KB=$(rss_kb "$COFFER_PID" VmHWM)
END_RSS_KB=$(rss_kb "$COFFER_PID" VmRSS)

# ---------------------------------------------------------------------------------------------
row() { printf '| %-34s | %10s | %10s | %6s |\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

cu=$(median "${c_up[@]}"); nu=$(median "${n_up[@]}")
cd_=$(median "${c_down[@]}"); nd=$(median "${n_down[@]}")
echo
echo "coffer $("$COFFER_BIN" version 2>/dev/null | awk '{ print $2 }') vs $("$NGINX_BIN" -v 2>&1 | sed 's/.*: //')," \
     "$(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "$BIG_LABEL transfers: median of $REPEAT (MB/s = 10^6 B/s); wrk: -t$THREADS, ${DURATION}s each; load average at start: $LOAD_AT_START"
echo
printf '| %-34s | %10s | %10s | %6s |\n' metric coffer nginx ratio
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..8})"
row "$BIG_LABEL upload, MB/s" "$cu" "$nu"
row "$BIG_LABEL download, MB/s" "$cd_" "$nd"
row "4 KiB upload c16, ops/s" "${R[c_put.ops]}" "${R[n_put.ops]}"
row "4 KiB upload c16, p99 ms" "${R[c_put.p99]}" "${R[n_put.p99]}"
row "4 KiB download c64, ops/s" "${R[c_get.ops]}" "${R[n_get.ops]}"
row "4 KiB download c64, p99 ms" "${R[c_get.p99]}" "${R[n_get.p99]}"
echo
echo "$BIG_LABEL upload runs, MB/s:   coffer ${c_up[*]}; nginx ${n_up[*]}"
echo "$BIG_LABEL download runs, MB/s: coffer ${c_down[*]}; nginx ${n_down[*]}"
echo "coffer start-up to first /health/live answer: ${STARTUP_MS} ms (10 ms polling, curl included)"
echo "coffer idle RSS after start: $(mib "$IDLE_RSS_KB")"
if [ "$hwm_reset" = yes ]; then
  echo "coffer peak RSS during a $BIG_LABEL upload (VmHWM, reset before each): $(mib "$HWM_UPLOAD_KB")"
else
  echo "coffer peak RSS up to the end of the $BIG_LABEL uploads (VmHWM since start): $(mib "$HWM_UPLOAD_KB")"
fi
echo "coffer max sampled VmRSS during the $BIG_LABEL uploads (every 50 ms): $(mib "$SAMPLED_MAX_KB"); after them: $(mib "$POST_UPLOAD_RSS_KB")"
echo "coffer at the end of the run: VmRSS $(mib "$END_RSS_KB"), VmHWM $(mib "$END_HWM_KB")"
for w in "${WARN[@]}"; do echo "warning: $w"; done
