#!/usr/bin/env bash
# WebDAV: Coffer's /dav/ against nginx's WebDAV module and Apache mod_dav, side by side in one
# run, on loopback, with the same client tools for all three.
#
#   bench/dav.sh                 (after `make build`)
#   BENCH_SMALL=1 bench/dav.sh   (tiny sizes: checks the script in a few seconds)
#
# Measures for each server: 1 GiB PUT and GET (curl, MB/s = 10^6 bytes/s, median of
# BENCH_REPEAT runs, each PUT a different random file so Coffer cannot deduplicate), 4 KiB PUTs
# of unique content at 16 connections and 4 KiB GETs of one file at 64 connections (wrk, ops/s
# and p99), and PROPFIND Depth 1 on a folder of 10,000 entries (curl, one request at a time,
# median and p95 of BENCH_PROPFINDS requests asking for six common properties, the answer checked
# for every entry). Coffer's folder is
# filled with PUTs through /dav/; nginx's and Apache's are written straight to disk (their PUT
# speed is measured above). Prints one table with ratios coffer/peer; writes nothing into the
# repository. Everything lives in a temp directory removed on exit (Ctrl-C included), and all
# three servers are stopped.
#
# Coffer gets HTTP Basic with a user name and a personal API token, as WebDAV clients send it.
# nginx serves `dav_methods PUT DELETE MKCOL COPY MOVE` (core) and PROPFIND from the dav-ext
# module (libnginx-mod-http-dav-ext; without it nginx's PROPFIND is n/a). Apache runs mod_dav +
# mod_dav_fs with the event MPM from a private configuration (its own ServerRoot, PidFile and
# port). A peer whose package is missing is skipped with a message.
#
# Environment (all optional):
#   COFFER_BIN       server binary                     (default: build/coffer)
#   BENCH_DIR        parent of the temp directory      (default: $TMPDIR or /tmp)
#   BENCH_DURATION   seconds per wrk run               (default: 10)
#   BENCH_REPEAT     1 GiB transfers per server        (default: 3; the median is reported)
#   BENCH_BIG_MIB    size of the large file in MiB     (default: 1024)
#   BENCH_ENTRIES    entries in the PROPFIND folder    (default: 10000)
#   BENCH_PROPFINDS  PROPFIND requests per server      (default: 20)
#   BENCH_THREADS    wrk threads                       (default: 2)
#   BENCH_SMALL=1    8 MiB, 1 repeat, 2 s, 200 entries, 3 PROPFINDs (unless set above)
#   NGINX_BIN        (default: /usr/sbin/nginx)        NGINX_DAV_EXT: the dav-ext module file
#   APACHE_BIN       (default: /usr/sbin/apache2)      APACHE_MODULES: its modules directory
#   BENCH_KEEP=1     keep the temp directory and logs for inspection
#
# Needs curl, wrk and python3 (with requests); nginx, apache2 and libnginx-mod-http-dav-ext
# for the peers (scripts/install-deps). Expect about 5 minutes at defaults.
set -uo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)

if [ "${BENCH_SMALL:-0}" = 1 ]; then
  : "${BENCH_DURATION:=2}" "${BENCH_REPEAT:=1}" "${BENCH_BIG_MIB:=8}" "${BENCH_ENTRIES:=200}" "${BENCH_PROPFINDS:=3}"
fi
PYTHON=${PYTHON:-/usr/bin/python3}   # with requests (Debian's)
# shellcheck source=bench/lib.sh
. bench/lib.sh
NGINX_DAV_EXT=${NGINX_DAV_EXT:-/usr/lib/nginx/modules/ngx_http_dav_ext_module.so}
APACHE_BIN=${APACHE_BIN:-/usr/sbin/apache2}
APACHE_MODULES=${APACHE_MODULES:-/usr/lib/apache2/modules}
ENTRIES=${BENCH_ENTRIES:-10000}
PROPFINDS=${BENCH_PROPFINDS:-20}

check_tools
"$PYTHON" -c 'import requests' 2>/dev/null || die "$PYTHON has no requests module (python3-requests)"

# The peers that can run: "coffer" always, nginx and Apache when installed.
SERVERS=(coffer)
NGINX_PROPFIND=no
if [ -x "$NGINX_BIN" ]; then
  SERVERS+=(nginx)
  if [ -f "$NGINX_DAV_EXT" ]; then NGINX_PROPFIND=yes; else
    log "nginx: $NGINX_DAV_EXT missing (libnginx-mod-http-dav-ext): its PROPFIND is n/a"
  fi
else
  log "skipping nginx: $NGINX_BIN not found (scripts/install-deps installs nginx)"
fi
if [ -x "$APACHE_BIN" ] && [ -f "$APACHE_MODULES/mod_dav_fs.so" ]; then
  SERVERS+=(apache)
else
  log "skipping Apache: $APACHE_BIN or $APACHE_MODULES/mod_dav_fs.so not found (package apache2)"
fi
has() { [[ " ${SERVERS[*]} " == *" $1 "* ]]; }

make_work_dir coffer-davbench
declare -A PID=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for s in "${!PID[@]}"; do stop_pid "${PID[$s]}"; done
  finish_cleanup "$rc"
}
trap_cleanup

declare -A PORT=() URL=()
for s in "${SERVERS[@]}"; do
  port=$(free_port)
  while [[ " ${PORT[*]} " == *" $port "* ]]; do port=$(free_port); done
  PORT[$s]=$port
  URL[$s]=http://127.0.0.1:$port/
done
C_BASE=${URL[coffer]}
URL[coffer]=${C_BASE}dav/

# ---------------------------------------------------------------------------------------------
make_inputs

# The peers' document roots are readable by their worker user (Apache will not run as root).
chmod 755 "$WORK"
run_user=
[ "$(id -u)" -eq 0 ] && run_user=www-data

# ---------------------------------------------------------------------------------------------
# nginx: core WebDAV methods, PROPFIND from dav-ext, sendfile, 2 workers, no access log.
if has nginx; then
  NGX=$WORK/nginx
  ngx_load= ngx_ext=
  if [ "$NGINX_PROPFIND" = yes ]; then
    ngx_load="load_module $NGINX_DAV_EXT;"
    ngx_ext="dav_ext_methods PROPFIND OPTIONS;"
  fi
  nginx_start "$NGX" "${PORT[nginx]}" "dav_methods PUT DELETE MKCOL COPY MOVE; $ngx_ext keepalive_requests 1000000;" "$ngx_load"
  mkdir -p "$NGX/docroot/put"
  PID[nginx]=$NGINX_PID
fi

# ---------------------------------------------------------------------------------------------
# Apache: mod_dav + mod_dav_fs, event MPM with a fixed pool of two processes of 64 threads (nginx
# runs two workers; Apache's default pool grows and shrinks, closing keep-alive connections
# under wrk), sendfile, unlimited keep-alive, no access log; in the foreground so that the PID
# to stop is the parent's.
if has apache; then
  APA=$WORK/apache
  mkdir -p "$APA/docroot/put" "$APA/logs" "$APA/run" "$APA/lock"
  apa_user=
  [ -n "$run_user" ] && apa_user="User $run_user
Group $run_user"
  cat > "$APA/apache.conf" <<EOF
ServerRoot "$APA"
ServerName 127.0.0.1
DefaultRuntimeDir "$APA/run"
PidFile "$APA/run/apache.pid"
Listen 127.0.0.1:${PORT[apache]}
ErrorLog "$APA/logs/error.log"
LogLevel warn
$apa_user
LoadModule mpm_event_module $APACHE_MODULES/mod_mpm_event.so
LoadModule authz_core_module $APACHE_MODULES/mod_authz_core.so
LoadModule dav_module $APACHE_MODULES/mod_dav.so
LoadModule dav_fs_module $APACHE_MODULES/mod_dav_fs.so
StartServers 2
ServerLimit 2
ThreadsPerChild 64
ThreadLimit 64
MaxRequestWorkers 128
MinSpareThreads 1
MaxSpareThreads 128
EnableSendfile On
KeepAlive On
MaxKeepAliveRequests 0
DavLockDB "$APA/lock/DavLock"
DocumentRoot "$APA/docroot"
<Directory "$APA/docroot">
  Dav On
  Options None
  AllowOverride None
  Require all granted
  LimitRequestBody 0
</Directory>
EOF
  [ -n "$run_user" ] && chown -R "$run_user:$run_user" "$APA/docroot" "$APA/lock"
  "$APACHE_BIN" -f "$APA/apache.conf" -DFOREGROUND 2>>"$APA/logs/error.log" &
  PID[apache]=$!
fi

# ---------------------------------------------------------------------------------------------
# Coffer: fresh data directory, one user, access logs off; an API token for Basic.
coffer_add_user "$WORK/coffer-data"
coffer_start "$WORK/coffer-data" "${PORT[coffer]}"
PID[coffer]=$COFFER_PID
wait_http "${C_BASE}health/live" "${PID[coffer]}" >/dev/null || { cat "$WORK/coffer.log" >&2; die "coffer did not start"; }
has nginx && { wait_http "${URL[nginx]}" "${PID[nginx]}" >/dev/null || { cat "$NGX/logs/error.log" >&2; die "nginx did not start"; }; }
has apache && { wait_http "${URL[apache]}" "${PID[apache]}" >/dev/null || { cat "$APA/logs/error.log" >&2; die "Apache did not start"; }; }
for s in "${SERVERS[@]}"; do log "$s pid ${PID[$s]} at ${URL[$s]}"; done

ACCESS=$(coffer_login "${C_BASE%/}") || die "login failed"
API_TOKEN=$(curl -s --max-time 10 "${C_BASE}api/v1/auth/tokens" -H "Authorization: Bearer $ACCESS" \
  -H 'Content-Type: application/json' -d '{"name":"davbench","scopes":"files:read files:write"}' \
  | json_get token) || die "creating an API token failed"
BASIC="Basic $(printf '%s:%s' "$USER_NAME" "$API_TOKEN" | base64 -w0)"

# auth_args SERVER -> curl arguments (one per line) that authenticate against it.
auth_args() { [ "$1" = coffer ] && printf '%s\n' -H "Authorization: $BASIC"; }
curl_to() {  # curl_to SERVER curl-args... (the server's auth added)
  local s=$1; shift
  local -a a=()
  mapfile -t a < <(auth_args "$s")
  curl -s -H 'Expect:' "${a[@]}" "$@"
}

# Coffer needs the PUT folder to exist (a PUT without a parent is 409), as a WebDAV client would.
code=$(curl_to coffer -o /dev/null -w '%{http_code}' --max-time 10 -X MKCOL "${URL[coffer]}put/")
[ "$code" = 201 ] || die "coffer MKCOL put/: HTTP $code"

# ---------------------------------------------------------------------------------------------
# Large PUT: a different file every run (the peers overwrite one name; Coffer keeps each file,
# whose content it could otherwise deduplicate).
declare -A UP DOWN
for i in $(seq "$REPEAT"); do
  for s in "${SERVERS[@]}"; do
    settle
    name=big-$i.bin
    [ "$s" = coffer ] || name=big.bin
    read -r code speed < <(curl_to "$s" -o "$WORK/resp.txt" --max-time 600 -w '%{http_code} %{speed_upload}' \
      -T "$WORK/src/big-$i.bin" "${URL[$s]}$name")
    [ "$code" = 201 ] || [ "$code" = 204 ] || { cat "$WORK/resp.txt" >&2; die "$s $BIG_LABEL PUT: HTTP $code"; }
    UP[$s]+="${UP[$s]:+ }$(mb_per_s "$speed")"
    log "$s PUT $i: $(mb_per_s "$speed") MB/s"
  done
done

# Large GET of the first (Coffer) or last (peers) file; warm page cache after the first pass.
settle
for i in $(seq "$REPEAT"); do
  for s in "${SERVERS[@]}"; do
    name=big.bin
    [ "$s" = coffer ] && name=big-1.bin
    read -r code speed size < <(curl_to "$s" -o /dev/null --max-time 600 \
      -w '%{http_code} %{speed_download} %{size_download}' "${URL[$s]}$name")
    [ "$code" = 200 ] && [ "$size" = "$BIG_BYTES" ] || die "$s $BIG_LABEL GET: HTTP $code, $size bytes"
    DOWN[$s]+="${DOWN[$s]:+ }$(mb_per_s "$speed")"
  done
  log "GET $i: $(for s in "${SERVERS[@]}"; do printf '%s %s MB/s  ' "$s" "${DOWN[$s]##* }"; done)"
done
for s in "${SERVERS[@]}"; do
  # shellcheck disable=SC2086  # the lists are space-separated numbers
  R[$s.up]=$(median ${UP[$s]}); R[$s.down]=$(median ${DOWN[$s]})
done

# ---------------------------------------------------------------------------------------------
# 4 KiB: wrk. PUTs create unique files with unique contents; GETs read one small file.
for s in "${SERVERS[@]}"; do
  settle
  tok=
  [ "$s" = coffer ] && tok=$BASIC
  run_wrk "$s.put" -c16 -s bench/put_unique.lua "${URL[$s]}" -- "/${URL[$s]#http://*/}put/" "$tok" 4096
done
for s in "${SERVERS[@]}"; do
  code=$(curl_to "$s" -o "$WORK/resp.txt" -w '%{http_code}' --max-time 10 -T "$WORK/src/small.bin" "${URL[$s]}small.bin")
  [ "$code" = 201 ] || { cat "$WORK/resp.txt" >&2; die "$s 4 KiB PUT: HTTP $code"; }
done
settle
for s in "${SERVERS[@]}"; do
  a=()
  [ "$s" = coffer ] && a=(-H "Authorization: $BASIC")
  run_wrk "$s.get" -c64 "${a[@]}" "${URL[$s]}small.bin"
done

# ---------------------------------------------------------------------------------------------
# PROPFIND Depth 1 on a folder of BENCH_ENTRIES small files. Coffer's are PUT through /dav/ (8
# keep-alive connections); the peers' are written to disk, the way they would find them.
log "filling the PROPFIND folders with $ENTRIES entries"
code=$(curl_to coffer -o /dev/null -w '%{http_code}' --max-time 10 -X MKCOL "${URL[coffer]}many/")
[ "$code" = 201 ] || die "coffer MKCOL many/: HTTP $code"
fill_start=$(now_ms)
"$PYTHON" - "${URL[coffer]}many/" "$USER_NAME" "$API_TOKEN" "$ENTRIES" <<'PY' || die "filling Coffer's folder failed"
import concurrent.futures, sys, threading
import requests
url, user, token, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
local = threading.local()
def put(i):
    if not hasattr(local, "s"):
        local.s = requests.Session()
        local.s.auth = (user, token)
    r = local.s.put(f"{url}f{i:05d}.txt", data=f"entry {i}\n".encode())
    if r.status_code != 201:
        raise SystemExit(f"PUT f{i:05d}.txt: HTTP {r.status_code} {r.text[:200]}")
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    list(pool.map(put, range(n)))
PY
FILL_S=$(awk -v ms=$(( $(now_ms) - fill_start )) 'BEGIN { printf "%.1f", ms / 1000 }')
for s in nginx apache; do
  has "$s" || continue
  if [ "$s" = nginx ]; then root=$NGX/docroot; else root=$APA/docroot; fi
  mkdir -p "$root/many"
  "$PYTHON" - "$root/many" "$ENTRIES" <<'PY' || die "filling $s's folder failed"
import sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(f"{d}/f{i:05d}.txt", "w") as f:
        f.write(f"entry {i}\n")
PY
  [ -n "$run_user" ] && [ "$s" = apache ] && chown -R "$run_user:$run_user" "$root/many"
done
log "Coffer's folder filled by PUT in $FILL_S s"

# The properties a file manager or rclone asks for; the same body for all three servers.
cat > "$WORK/propfind-body.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop>
  <D:resourcetype/><D:displayname/><D:getcontentlength/><D:getlastmodified/><D:getetag/><D:getcontenttype/>
</D:prop></D:propfind>
EOF
settle
for s in "${SERVERS[@]}"; do
  [ "$s" = nginx ] && [ "$NGINX_PROPFIND" != yes ] && continue
  times=()
  for _ in $(seq "$PROPFINDS"); do
    read -r code t < <(curl_to "$s" -o "$WORK/propfind.xml" --max-time 120 -w '%{http_code} %{time_total}' \
      -X PROPFIND -H 'Depth: 1' -H 'Content-Type: application/xml' \
      --data-binary @"$WORK/propfind-body.xml" "${URL[$s]}many/")
    [ "$code" = 207 ] || { head -c 500 "$WORK/propfind.xml" >&2; die "$s PROPFIND: HTTP $code"; }
    times+=("$(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }')")
  done
  # One response element per entry, plus one for the folder itself.
  n=$(grep -oiE '<([a-z0-9]+:)?response[ >]' "$WORK/propfind.xml" | wc -l)
  [ "$n" = $((ENTRIES + 1)) ] || die "$s PROPFIND answered $n responses, expected $((ENTRIES + 1))"
  R[$s.pf_bytes]=$(stat -c %s "$WORK/propfind.xml")
  R[$s.pf_med]=$(median "${times[@]}")
  R[$s.pf_p95]=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { i = int(NR * 0.95 + 0.999); if (i > NR) i = NR; print v[i] }')
  log "$s PROPFIND: median ${R[$s.pf_med]} ms, p95 ${R[$s.pf_p95]} ms, ${R[$s.pf_bytes]} bytes"
done

# ---------------------------------------------------------------------------------------------
val() { echo "${R[$1]:-n/a}"; }
cell_ratio() { if [ "$1" = n/a ] || [ "$2" = n/a ]; then echo n/a; else ratio "$1" "$2"; fi; }
row() {  # row LABEL KEY
  local c n a
  c=$(val "coffer.$2"); n=$(val "nginx.$2"); a=$(val "apache.$2")
  printf '| %-46s | %9s | %9s | %9s | %12s | %13s |\n' "$1" "$c" "$n" "$a" "$(cell_ratio "$c" "$n")" "$(cell_ratio "$c" "$a")"
}
for s in coffer nginx apache; do
  for k in put get; do R[$s.${k}_ops]=${R[$s.$k.ops]:-n/a}; R[$s.${k}_p99]=${R[$s.$k.p99]:-n/a}; done
done

echo
ngx_v=n/a; has nginx && ngx_v=$("$NGINX_BIN" -v 2>&1 | sed 's/.*: //')
apa_v=n/a; has apache && apa_v=$("$APACHE_BIN" -v 2>/dev/null | sed -n 's/^Server version: //p')
echo "coffer $("$COFFER_BIN" version 2>/dev/null | awk '{ print $2 }') /dav/ vs $ngx_v (dav + dav-ext: $NGINX_PROPFIND) vs $apa_v (mod_dav_fs)," \
     "$(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "$BIG_LABEL transfers: median of $REPEAT (MB/s = 10^6 B/s); wrk: -t$THREADS, ${DURATION}s each;" \
     "PROPFIND: $PROPFINDS sequential requests; load average at start: $LOAD_AT_START"
echo
printf '| %-46s | %9s | %9s | %9s | %12s | %13s |\n' metric coffer nginx apache coffer/nginx coffer/apache
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..48})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..11})" \
  "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..15})"
row "$BIG_LABEL PUT, MB/s" up
row "$BIG_LABEL GET, MB/s" down
row "4 KiB PUT c16, ops/s" put_ops
row "4 KiB PUT c16, p99 ms" put_p99
row "4 KiB GET c64, ops/s" get_ops
row "4 KiB GET c64, p99 ms" get_p99
row "PROPFIND Depth 1, $ENTRIES entries, median ms" pf_med
row "PROPFIND Depth 1, $ENTRIES entries, p95 ms" pf_p95
row "PROPFIND response size, bytes" pf_bytes
echo
for s in "${SERVERS[@]}"; do
  echo "$s: $BIG_LABEL PUT runs, MB/s: ${UP[$s]}; GET runs: ${DOWN[$s]}"
done
echo "coffer: $ENTRIES entries PUT through /dav/ (8 connections) in $FILL_S s"
echo "ratios are coffer/peer: above 1 is better for coffer in MB/s and ops/s, worse in ms"
for w in "${WARN[@]}"; do echo "warning: $w"; done
