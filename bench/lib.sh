# Helpers shared by the server benchmarks (bench/run.sh, bench/dav.sh); sourced, not run.
# They expect PYTHON, WORK, DURATION and THREADS to be set, and the arrays R (associative) and
# WARN to be declared, by the script that sources them.

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

warn_if_busy() {
  local busy
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
