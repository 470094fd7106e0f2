#!/bin/bash
# bench/auth_ab.sh BIN PORT LABEL [perf]: 4 KiB GET at 64 connections through REST (bearer
# access token) and /dav/ (Basic with an API token) against a fresh data directory, for A/B runs
# of the authentication path (docs/benchmarks.md "Authentication from memory"). EXTRA adds
# `coffer serve` flags (EXTRA="--auth-cache-seconds 0"), DUR sets wrk's seconds (5); "perf"
# records the server during the REST run into /tmp/perf-LABEL.data.
set -e
BIN=$1; PORT=$2; LABEL=$3; PERF=$4
D=$(mktemp -d /tmp/abauth-XXXX)
echo "bench-password-123" | $BIN user add bench --password-stdin --data $D >/dev/null 2>&1
$BIN serve --data $D --listen 127.0.0.1:$PORT --log-level warn --token-ttl 3600 --user-rate-limit 0 --ip-rate-limit 0 $EXTRA 2>$D/log &
PID=$!
for i in $(seq 100); do curl -sf http://127.0.0.1:$PORT/health/live >/dev/null && break; sleep 0.1; done
TOK=$(curl -s http://127.0.0.1:$PORT/api/v1/auth/login -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password-123"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["access_token"])')
ROOT=$(curl -s -H "Authorization: Bearer $TOK" http://127.0.0.1:$PORT/api/v1/folders/root | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
head -c 4096 /dev/urandom > $D/small.bin
ID=$(curl -s -T $D/small.bin -H "Authorization: Bearer $TOK" http://127.0.0.1:$PORT/api/v1/folders/$ROOT/files/small.bin | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
API=$(curl -s -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' -d '{"name":"b","scopes":"files:read files:write"}' http://127.0.0.1:$PORT/api/v1/auth/tokens | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
BASIC=$(printf 'bench:%s' "$API" | base64 -w0)
wrk -t2 -c64 -d2 -H "Authorization: Bearer $TOK" http://127.0.0.1:$PORT/api/v1/files/$ID/content >/dev/null
if [ -n "$PERF" ]; then perf record -g -o /tmp/perf-$LABEL.data -p $PID -- sleep 5 >/dev/null 2>&1 & PP=$!; fi
R=$(wrk -t2 -c64 -d${DUR:-5} -H "Authorization: Bearer $TOK" http://127.0.0.1:$PORT/api/v1/files/$ID/content)
[ -n "$PERF" ] && wait $PP
echo "$LABEL REST  $(echo "$R" | awk '/Requests\/sec/ {print $2}') req/s $(echo "$R" | grep -E 'Non-2xx' || true)"
R=$(wrk -t2 -c64 -d${DUR:-5} -H "Authorization: Basic $BASIC" http://127.0.0.1:$PORT/dav/small.bin)
echo "$LABEL DAV   $(echo "$R" | awk '/Requests\/sec/ {print $2}') req/s $(echo "$R" | grep -E 'Non-2xx' || true)"
kill $PID; wait $PID 2>/dev/null || true
rm -rf $D
