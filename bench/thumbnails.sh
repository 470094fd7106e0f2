#!/usr/bin/env bash
# Thumbnail throughput: Coffer's background thumbnail jobs against the `vipsthumbnail` command
# on the same images, side by side in one run, on loopback.
#
#   bench/thumbnails.sh
#
# Makes BENCH_IMAGES distinct JPEGs of BENCH_SIZE pixels (noise, so they do not compress to
# nothing), then:
#   - vipsthumbnail: both sizes (256 and 1024 px, WebP, metadata stripped) of every image,
#     BENCH_WORKERS processes at a time (xargs -P), wall time;
#   - coffer: a server with no job workers takes every upload (their jobs wait in the queue),
#     then restarts with BENCH_WORKERS workers; the time from the restart until the queue is
#     empty (both sizes of every image made, stored as chunks and recorded) is measured.
# Prints images per second for both. Writes nothing into the repository; the temp directory
# is removed on exit.
#
# Environment: COFFER_BIN (build/coffer), BENCH_IMAGES (40), BENCH_SIZE (3000x2000),
# BENCH_WORKERS (2), BENCH_DIR (parent of the temp directory, $TMPDIR or /tmp).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
COFFER_BIN=${COFFER_BIN:-$REPO/build/coffer}
IMAGES=${BENCH_IMAGES:-40}
SIZE=${BENCH_SIZE:-3000x2000}
WORKERS=${BENCH_WORKERS:-2}
WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/coffer-thumbs.XXXXXX")
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '[thumbs %s] %s\n' "$(date +%T)" "$*" >&2; }

W=${SIZE%x*}
H=${SIZE#*x}
log "making $IMAGES JPEGs of ${W}x${H}"
mkdir -p "$WORK/images" "$WORK/out"
vips gaussnoise "$WORK/noise.v" "$W" "$H" --mean 128 --sigma 40
for i in $(seq 1 "$IMAGES"); do
  vips linear "$WORK/noise.v" "$WORK/n.v" 1 "$i"
  vips cast "$WORK/n.v" "$WORK/images/img$i.jpg[Q=85]" uchar
done
rm -f "$WORK"/*.v

log "vipsthumbnail, $WORKERS at a time"
start=$(date +%s.%N)
ls "$WORK"/images/*.jpg | xargs -P "$WORKERS" -I{} sh -c \
  'vipsthumbnail {} -s 256 -o '"$WORK"'/out/%s_small.webp[strip] && vipsthumbnail {} -s 1024 -o '"$WORK"'/out/%s_large.webp[strip]'
end=$(date +%s.%N)
VIPS_RATE=$(python3 -c "print(round($IMAGES / ($end - $start), 2))")

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATA="$WORK/data"
echo "bench-password-123" | "$COFFER_BIN" user add bench --admin --password-stdin --data "$DATA" >/dev/null
serve() {
  "$COFFER_BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --user-rate-limit 0 --job-workers "$1" \
    >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/health/live" >/dev/null && return; sleep 0.05; done
  log "server did not start"; cat "$WORK/server.log"; exit 1
}
log "coffer: uploading with no workers"
serve 0
python3 - "$PORT" "$WORK/images" <<'PY'
import json, os, sys, urllib.request
port, folder = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None, token=None, ctype="application/json"):
    req = urllib.request.Request(base + path, data=body, method=method)
    req.add_header("Content-Type", ctype)
    if token: req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r: return json.loads(r.read() or b"null")
def login():
    return call("POST", "/api/v1/auth/login", json.dumps({"username": "bench", "password": "bench-password-123"}).encode())["access_token"]
token = login()
root = call("GET", "/api/v1/folders/root", token=token)["id"]
for name in sorted(os.listdir(folder)):
    with open(os.path.join(folder, name), "rb") as f:
        call("PUT", f"/api/v1/folders/{root}/files/{name}", f.read(), token, "image/jpeg")
PY
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
log "coffer: restarting with $WORKERS workers"
start=$(date +%s.%N)
serve "$WORKERS"
python3 - "$PORT" "$IMAGES" <<'PY'
import json, sys, time, urllib.request
port, count = sys.argv[1], int(sys.argv[2])
base = f"http://127.0.0.1:{port}"
req = urllib.request.Request(base + "/api/v1/auth/login", method="POST",
                             data=json.dumps({"username": "bench", "password": "bench-password-123"}).encode(),
                             headers={"Content-Type": "application/json"})
token = json.loads(urllib.request.urlopen(req).read())["access_token"]
while True:
    req = urllib.request.Request(base + "/api/v1/system/jobs", headers={"Authorization": "Bearer " + token})
    depth = json.loads(urllib.request.urlopen(req).read())["depth"].get("thumbnail", {})
    if depth.get("done", 0) + depth.get("dead", 0) >= count:
        if depth.get("dead", 0):
            sys.exit(f"{depth['dead']} thumbnail jobs failed")
        break
    time.sleep(0.02)
PY
end=$(date +%s.%N)
COFFER_RATE=$(python3 -c "print(round($IMAGES / ($end - $start), 2))")

printf '\n%-34s %12s\n' "thumbnails (256 + 1024 px, WebP)" "images/s"
printf '%-34s %12s\n' "vipsthumbnail ($WORKERS processes)" "$VIPS_RATE"
printf '%-34s %12s\n' "coffer ($WORKERS job workers)" "$COFFER_RATE"
printf '(%s images of %s, JPEG; coffer includes start-up, reading chunks and storing results)\n' "$IMAGES" "$SIZE"
