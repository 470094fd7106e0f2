# Settings and helpers shared by the server benchmarks (bench/run.sh, bench/dav.sh); sourced,
# not run, from the repository root with REPO set. The scripts' headers list the settings.

COFFER_BIN=${COFFER_BIN:-$REPO/build/coffer}
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
PYTHON=${PYTHON:-python3}
DURATION=${BENCH_DURATION:-10}
REPEAT=${BENCH_REPEAT:-3}
BIG_MIB=${BENCH_BIG_MIB:-1024}
THREADS=${BENCH_THREADS:-2}
PARENT=${BENCH_DIR:-${TMPDIR:-/tmp}}
USER_NAME=bench
USER_PASS=bench-password-123
declare -A R    # results: R[KEY.ops], R[KEY.p99], ...
WARN=()         # lines printed under the table

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
json_get() {  # json_get KEY < json
  "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
mb_per_s() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
rss_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
settle() { sync; sleep 1; }  # flush dirty pages left by the previous step (nginx never fsyncs)

check_tools() {  # the client tools and the Coffer binary, or exit; warns of a busy machine
  local tool busy
  for tool in curl wrk "$PYTHON"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/install-deps)"
  done
  [ -x "$COFFER_BIN" ] || die "$COFFER_BIN not found (cmake --build build)"
  busy=$(pgrep -c cc1plus 2>/dev/null || true)
  if [ "${busy:-0}" -gt 0 ]; then
    log "warning: $busy compiler processes running; numbers will be noisy ($(uptime | sed 's/.*load/load/'))"
  fi
}

stop_pid() {  # stop_pid PID: TERM (a master stops its workers), then KILL after 5 s
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null
}

wait_http() {  # wait_http URL PID -> prints milliseconds until the first HTTP answer
  local t0 code
  t0=$(now_ms)
  for _ in $(seq 1000); do
    kill -0 "$2" 2>/dev/null || return 1
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1")
    if [ "$code" != 000 ]; then echo $(( $(now_ms) - t0 )); return 0; fi
    sleep 0.01
  done
  return 1
}

run_wrk() {  # run_wrk KEY wrk-args... ; sets R[KEY.ops], R[KEY.p99] (ms)
  local key=$1; shift
  local out=$WORK/wrk-$key.txt
  timeout $((DURATION + 30)) wrk -t"$THREADS" -d"${DURATION}s" --timeout 5s --latency "$@" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk $key failed"; }
  R[$key.ops]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  R[$key.p99]=$(awk '$1 == "99%" {
      v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1
      printf "%.2f", v * f }' "$out")
  local bad errs
  bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  errs=$(grep -E 'Socket errors:' "$out")
  [ -n "$bad" ] && WARN+=("$key: $bad non-2xx responses")
  [ -n "$errs" ] && WARN+=("$key: ${errs# *}")
  log "$key: ${R[$key.ops]} ops/s, p99 ${R[$key.p99]} ms${bad:+, $bad non-2xx}"
}

make_work_dir() {  # make_work_dir NAME: sets WORK to a new temp directory below PARENT
  mkdir -p "$PARENT" || die "cannot create $PARENT"
  WORK=$(mktemp -d "$PARENT/$1.XXXXXX") || die "mktemp failed"
}

# The script defines cleanup (stop its servers, then finish_cleanup).
trap_cleanup() {
  trap cleanup EXIT
  trap 'log interrupted; exit 130' INT
  trap 'exit 143' TERM
}
finish_cleanup() {  # finish_cleanup RC: keep or remove WORK, then exit RC
  wait 2>/dev/null
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$1"
}

# Inputs: BENCH_REPEAT distinct random large files (src/big-N.bin), and one random 4 KiB file
# (src/small.bin). Sets BIG_BYTES, BIG_LABEL and LOAD_AT_START.
make_inputs() {
  log "work dir $WORK; generating $REPEAT x $BIG_MIB MiB of random data"
  mkdir -p "$WORK/src"
  for i in $(seq "$REPEAT"); do
    head -c "$((BIG_MIB * 1048576))" /dev/urandom > "$WORK/src/big-$i.bin" || die "cannot write $WORK/src"
  done
  head -c 4096 /dev/urandom > "$WORK/src/small.bin"
  BIG_BYTES=$((BIG_MIB * 1048576))
  if [ $((BIG_MIB % 1024)) -eq 0 ]; then BIG_LABEL="$((BIG_MIB / 1024)) GiB"; else BIG_LABEL="$BIG_MIB MiB"; fi
  LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
}

# nginx_start DIR PORT LOCATION [MAIN]: nginx serving DIR/docroot on loopback with sendfile, two
# workers and no access log; LOCATION goes into `location /`, MAIN at the top of the file.
# Sets NGINX_PID.
nginx_start() {
  local dir=$1 port=$2 location=$3 main=${4:-} user=
  mkdir -p "$dir/docroot" "$dir/logs" "$dir/tmp"
  [ "$(id -u)" -eq 0 ] && user="user root;"   # workers would otherwise run as nobody
  cat > "$dir/nginx.conf" <<EOF
$main
$user
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  default_type application/octet-stream;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    root $dir/docroot;
    location / {
      $location
      create_full_put_path on;
      client_max_body_size 0;
    }
  }
}
EOF
  "$NGINX_BIN" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" 2>>"$dir/logs/error.log" &
  NGINX_PID=$!
}

coffer_add_user() {  # coffer_add_user DATA: a fresh data directory with one user, USER_NAME
  printf '%s\n' "$USER_PASS" | "$COFFER_BIN" user add "$USER_NAME" --password-stdin --data "$1" \
    >"$WORK/user-add.log" 2>&1 || { cat "$WORK/user-add.log" >&2; die "coffer user add failed"; }
}

# coffer_start DATA PORT: serves DATA on loopback with access logs off and the default limits.
# Sets COFFER_PID; does not wait for it.
coffer_start() {
  # The default rate limits: they must refuse nothing a benchmark sends (docs/benchmarks.md).
  # BENCH_COFFER_ARGS adds flags (an A/B against an older binary: "--user-rate-limit 0").
  # shellcheck disable=SC2086  # BENCH_COFFER_ARGS is a list of flags
  "$COFFER_BIN" serve --data "$1" --listen "127.0.0.1:$2" --log-level warn \
    --token-ttl 3600 ${BENCH_COFFER_ARGS:-} 2>"$WORK/coffer.log" &
  COFFER_PID=$!
}

# coffer_alone NAME: for a bench of one coffer and nothing else: a work directory, a fresh
# data directory with USER_NAME, coffer serving it on a free port (stopped on exit). Sets WORK,
# C_URL, COFFER_PID and TOKEN (an access token of USER_NAME).
coffer_alone() {
  make_work_dir "$1"
  COFFER_PID=
  cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$COFFER_PID"
    finish_cleanup "$rc"
  }
  trap_cleanup
  local port
  port=$(free_port)
  C_URL=http://127.0.0.1:$port
  coffer_add_user "$WORK/coffer-data"
  coffer_start "$WORK/coffer-data" "$port"
  wait_http "$C_URL/health/live" "$COFFER_PID" >/dev/null || { cat "$WORK/coffer.log" >&2; die "coffer did not start"; }
  TOKEN=$(coffer_login "$C_URL") || die "login failed"
}

coffer_login() {  # coffer_login BASE_URL -> prints an access token for USER_NAME
  curl -s --max-time 10 "$1/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$USER_NAME\",\"password\":\"$USER_PASS\"}" | json_get access_token
}
