#!/usr/bin/env bash
# What verifying every chunk costs a large download: Coffer verifying by the chunks' fast
# checks (xxHash3, the default for local disk), the same Coffer on the same data verifying by
# SHA-256 (the checks cleared from the catalog, as for chunks written before migration 22),
# and nginx (sendfile, no verification), side by side in one run, on loopback.
#
#   bench/verified_reads.sh
#
# One random file of BENCH_BIG_MIB MiB is uploaded once through the REST API and downloaded
# BENCH_REPEAT times per variant (curl, MB/s = 10^6 bytes/s, median), the page cache warm.
# Prints one table; writes nothing into the repository.
#
# Environment (all optional): COFFER_BIN, NGINX_BIN, BENCH_DIR, BENCH_REPEAT (default 3),
# BENCH_BIG_MIB (default 1024), BENCH_KEEP=1 (see bench/run.sh). Needs curl, nginx, python3
# with its sqlite3 module.
set -uo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)

# shellcheck source=bench/lib.sh
. bench/lib.sh

check_tools
[ -x "$NGINX_BIN" ] || die "$NGINX_BIN not found (scripts/install-deps installs nginx)"
make_work_dir coffer-verified-reads
COFFER_PID=
NGINX_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$COFFER_PID"
  stop_pid "$NGINX_PID"
  finish_cleanup "$rc"
}
trap_cleanup

COFFER_PORT=$(free_port)
NGINX_PORT=$(free_port)
[ "$COFFER_PORT" != "$NGINX_PORT" ] || NGINX_PORT=$(free_port)
C_URL=http://127.0.0.1:$COFFER_PORT
N_URL=http://127.0.0.1:$NGINX_PORT

REPEAT_WANTED=$REPEAT
REPEAT=1 make_inputs  # one large file is enough: every variant reads the same bytes
REPEAT=$REPEAT_WANTED
nginx_start "$WORK/nginx" "$NGINX_PORT" ""
cp "$WORK/src/big-1.bin" "$WORK/nginx/docroot/big.bin"

DATA=$WORK/coffer-data
coffer_add_user "$DATA"
start_coffer() {
  coffer_start "$DATA" "$COFFER_PORT"
  wait_http "$C_URL/health/live" "$COFFER_PID" >/dev/null || { cat "$WORK/coffer.log" >&2; die "coffer did not start"; }
  TOKEN=$(coffer_login "$C_URL") || die "login failed"
  AUTH="Authorization: Bearer $TOKEN"
}
start_coffer
wait_http "$N_URL/" "$NGINX_PID" >/dev/null || { cat "$WORK/nginx/logs/error.log" >&2; die "nginx did not start"; }
ROOT=$(curl -s --max-time 10 -H "$AUTH" "$C_URL/api/v1/folders/root" | json_get id) || die "no root folder"
code=$(curl -s -o "$WORK/resp.json" -w '%{http_code}' -H 'Expect:' --max-time 600 -H "$AUTH" \
  -T "$WORK/src/big-1.bin" "$C_URL/api/v1/folders/$ROOT/files/big.bin")
[ "$code" = 201 ] || { cat "$WORK/resp.json" >&2; die "upload: HTTP $code"; }
FILE_ID=$(json_get id < "$WORK/resp.json")

download() {  # download URL [curl args...] -> MB/s; dies unless the whole file arrived
  local url=$1 code speed size; shift
  read -r code speed size < <(curl -s -o /dev/null --max-time 600 \
    -w '%{http_code} %{speed_download} %{size_download}' "$@" "$url")
  [ "$code" = 200 ] && [ "$size" = "$BIG_BYTES" ] || die "download $url: HTTP $code, $size bytes"
  mb_per_s "$speed"
}

declare -a fast sha nginx
settle
download "$C_URL/api/v1/files/$FILE_ID/content" -H "$AUTH" >/dev/null  # warm the page cache
download "$N_URL/big.bin" >/dev/null
for i in $(seq "$REPEAT"); do
  fast+=("$(download "$C_URL/api/v1/files/$FILE_ID/content" -H "$AUTH")")
  nginx+=("$(download "$N_URL/big.bin")")
  log "run $i: coffer (fast checks) ${fast[-1]} MB/s, nginx ${nginx[-1]} MB/s"
done

# The same data without checks: every chunk is verified by its SHA-256 again.
stop_pid "$COFFER_PID"
COFFER_PID=
"$PYTHON" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("UPDATE chunks SET xxh3 = NULL WHERE xxh3 IS NOT NULL").rowcount
db.commit()
print(n)' "$DATA/meta.db" >"$WORK/cleared" || die "cannot clear the checks"
log "checks cleared on $(cat "$WORK/cleared") chunks"
start_coffer
for i in $(seq "$REPEAT"); do
  sha+=("$(download "$C_URL/api/v1/files/$FILE_ID/content" -H "$AUTH")")
  nginx+=("$(download "$N_URL/big.bin")")
  log "run $i: coffer (SHA-256) ${sha[-1]} MB/s, nginx ${nginx[-1]} MB/s"
done

F=$(median "${fast[@]}")
S=$(median "${sha[@]}")
N=$(median "${nginx[@]}")
printf '\n%s GET (REST, warm page cache), median of %s; load at start %s\n\n' "$BIG_LABEL" "$REPEAT" "$LOAD_AT_START"
printf '| variant | MB/s | / nginx |\n| --- | --- | --- |\n'
printf '| coffer, verified by the fast checks (xxHash3) | %s | %s |\n' "$F" "$(ratio "$F" "$N")"
printf '| coffer, verified by SHA-256 | %s | %s |\n' "$S" "$(ratio "$S" "$N")"
printf '| nginx (sendfile, no verification) | %s | 1.00 |\n' "$N"
