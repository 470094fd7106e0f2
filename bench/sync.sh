#!/usr/bin/env bash
# Sync of many small files (issue 16): a tree of BENCH_FILES files of 4 KiB in folders of 100
# goes up to Coffer with the real Nextcloud desktop client (nextcloudcmd), with rclone (WebDAV)
# and with bulk uploads (bench/bulk_upload.py, batches of 100 as the desktop clients send
# them); the same tree goes up to nginx's WebDAV with rclone in the same run, as the peer.
# Prints seconds and files/s for each, and ratios to nginx. Every Coffer upload is durable
# before it is acknowledged; nginx writes to the page cache.
#
#   bench/sync.sh                  (after `make build`)
#   BENCH_FILES=500 bench/sync.sh  (a quick check of the script)
#   BENCH_STEPS=bulk-coffer bench/sync.sh  (bulk uploads alone: an A/B of two builds with
#                                           COFFER_BIN, without the minutes of the rclone rows)
#
# Environment (optional): COFFER_BIN, BENCH_DIR, BENCH_FILES (10000), NGINX_BIN, BENCH_KEEP=1,
# BENCH_STEPS (any of: nextcloudcmd rclone-coffer bulk-coffer rclone-nginx; all by default).
# Needs nextcloudcmd (nextcloud-desktop-cmd), rclone, nginx, curl and python3 with requests for
# the steps that use them.
set -uo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
# shellcheck source=bench/lib.sh
. bench/lib.sh
FILES=${BENCH_FILES:-10000}
STEPS=" ${BENCH_STEPS:-nextcloudcmd rclone-coffer bulk-coffer rclone-nginx} "
want() { [[ $STEPS == *" $1 "* ]]; }

check_tools
want nextcloudcmd && { command -v nextcloudcmd >/dev/null 2>&1 || die "nextcloudcmd not found (scripts/install-deps)"; }
if want rclone-coffer || want rclone-nginx; then
  command -v rclone >/dev/null 2>&1 || die "rclone not found (scripts/install-deps)"
fi
want rclone-nginx && { command -v "$NGINX_BIN" >/dev/null 2>&1 || die "$NGINX_BIN not found (scripts/install-deps)"; }

make_work_dir coffer-syncbench
declare -A PID=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for s in "${!PID[@]}"; do stop_pid "${PID[$s]}"; done
  finish_cleanup "$rc"
}
trap_cleanup

log "work dir $WORK; making $FILES files of 4 KiB"
mkdir -p "$WORK/tree"
for ((i = 0; i < FILES; i++)); do
  d=$WORK/tree/folder-$((i / 100))
  [ -d "$d" ] || mkdir "$d"
  head -c 4096 /dev/urandom > "$d/file-$i.bin"
done
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

C_PORT=$(free_port)
N_PORT=$(free_port)
coffer_add_user "$WORK/coffer-data"
coffer_start "$WORK/coffer-data" "$C_PORT"
PID[coffer]=$COFFER_PID
if want rclone-nginx; then
  # rclone lists with PROPFIND, which nginx answers through the dav-ext module.
  NGINX_DAV_EXT=${NGINX_DAV_EXT:-/usr/lib/nginx/modules/ngx_http_dav_ext_module.so}
  [ -f "$NGINX_DAV_EXT" ] || die "$NGINX_DAV_EXT missing (libnginx-mod-http-dav-ext)"
  nginx_start "$WORK/nginx" "$N_PORT" "dav_methods PUT DELETE MKCOL COPY MOVE; dav_ext_methods PROPFIND OPTIONS;" \
    "load_module $NGINX_DAV_EXT;"
  PID[nginx]=$NGINX_PID
fi
C_URL=http://127.0.0.1:$C_PORT
wait_http "$C_URL/health/live" "${PID[coffer]}" >/dev/null || { cat "$WORK/coffer.log" >&2; die "coffer did not start"; }
if want rclone-nginx; then
  wait_http "http://127.0.0.1:$N_PORT/" "${PID[nginx]}" >/dev/null || die "nginx did not start"
fi
ACCESS=$(coffer_login "$C_URL") || die "login failed"
TOKEN=$(curl -s --max-time 10 "$C_URL/api/v1/auth/tokens" -H "Authorization: Bearer $ACCESS" \
  -H 'Content-Type: application/json' -d '{"name":"syncbench","scopes":"files:read files:write"}' \
  | json_get token) || die "creating an API token failed"

declare -A SECS=()
timed() {  # timed KEY command...: runs it (when a wanted step), records seconds in SECS[KEY]
  local key=$1 t0
  shift
  want "$key" || return 0
  settle
  t0=$(now_ms)
  "$@" >"$WORK/$key.log" 2>&1 || { tail -20 "$WORK/$key.log" >&2; die "$key failed"; }
  SECS[$key]=$(awk -v ms=$(( $(now_ms) - t0 )) 'BEGIN { printf "%.1f", ms / 1000 }')
  log "$key: ${SECS[$key]} s"
}

# nextcloudcmd syncs the tree into /nc (its own folder: a sync client owns its remote folder).
want nextcloudcmd && curl -s -o /dev/null -u "$USER_NAME:$TOKEN" -X MKCOL "$C_URL/dav/nc"
mkdir -p "$WORK/client-home"
: > "$WORK/client-home/exclude.lst"
timed nextcloudcmd env HOME="$WORK/client-home" nextcloudcmd --non-interactive \
  --exclude "$WORK/client-home/exclude.lst" -u "$USER_NAME" -p "$TOKEN" --path /nc "$WORK/tree" "$C_URL"
rm -f "$WORK"/tree/.sync_*.db* "$WORK"/tree/.sync_*

RCLONE=(rclone --config /dev/null --transfers 16 --checkers 16 --no-check-dest --retries 1)
webdav() {  # webdav URL USER PASS -> an rclone connection string
  printf ':webdav,url="%s",vendor=other,user="%s",pass="%s":' "$1" "$2" "$(rclone obscure "$3")"
}
timed rclone-coffer "${RCLONE[@]}" copy "$WORK/tree" "$(webdav "$C_URL/dav/" "$USER_NAME" "$TOKEN")rclone"
timed bulk-coffer "$PYTHON" bench/bulk_upload.py "$C_URL" "$USER_NAME" "$TOKEN" "$WORK/tree" /bulk
timed rclone-nginx "${RCLONE[@]}" copy "$WORK/tree" "$(webdav "http://127.0.0.1:$N_PORT/" x x)rclone"

rate() { awk -v n="$FILES" -v s="$1" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
echo
echo "Sync of $FILES files of 4 KiB ($(nproc) cores, load at start $LOAD_AT_START; nextcloudcmd $(nextcloudcmd --version 2>/dev/null | grep -o '[0-9]\+\.[0-9]\+\.[0-9]\+' | head -1), $(rclone version 2>/dev/null | head -1))"
printf '| %-48s | %9s | %8s | %12s |\n' "upload" "seconds" "files/s" "vs nginx"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..50})" "-----------" "----------" "--------------"
for key in nextcloudcmd rclone-coffer bulk-coffer rclone-nginx; do
  want "$key" || continue
  case $key in
    nextcloudcmd) label="Coffer, nextcloudcmd (PUT per file)";;
    rclone-coffer) label="Coffer /dav/, rclone copy, 16 transfers";;
    bulk-coffer) label="Coffer, bulk upload, 100 per POST, 1 at a time";;
    rclone-nginx) label="nginx WebDAV, rclone copy, 16 transfers";;
  esac
  printf '| %-48s | %9s | %8s | %12s |\n' "$label" "${SECS[$key]}" "$(rate "${SECS[$key]}")" \
    "$(ratio "$(rate "${SECS[$key]}")" "$(rate "${SECS[rclone-nginx]:-0}")")"
done
