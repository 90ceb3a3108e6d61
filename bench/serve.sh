#!/usr/bin/env bash
# Load benchmark of the dashboard: the area page and its JSON twin, 64 connections, on this machine, and in the
# same run the same figures served by Datasette from the same SQLite file as a reference.
#
#   pip install -r bench/requirements-serve.txt      # datasette (pinned)
#   apt-get install -y wrk
#   cargo build --release -p wijkmonitor
#   bench/serve.sh [DB]                               # default: a demo database built into a temporary folder
#
# Prints requests/s, p50/p99 latency, errors and the server's peak memory for each URL. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/wijkmonitor
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
AREA=${AREA:-den-haag-zuidwest}
[ -x "$BIN" ] || { echo "build first: cargo build --release -p wijkmonitor" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
command -v datasette >/dev/null || { echo "datasette is missing: pip install -r bench/requirements-serve.txt" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
DB=${1:-$WORK/demo.db}
if [ ! -f "$DB" ]; then
  "$BIN" demo --db "$DB" >/dev/null
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }
peak_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

load() { # name url pid
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  printf '%-34s %10s req/s  p50 %8s  p99 %8s  peak memory %5s MB  %s\n' "$1" "$rps" "$p50" "$p99" "$(peak_mb "$3")" "${errors:-no errors}"
}

PORT=$(free_port)
"$BIN" serve --db "$DB" --addr "127.0.0.1:$PORT" >/dev/null 2>&1 &
WM=$!
wait_for "http://127.0.0.1:$PORT/gebied/$AREA.json"
load "wijkmonitor /gebied/$AREA" "http://127.0.0.1:$PORT/gebied/$AREA" $WM
load "wijkmonitor /gebied/$AREA.json" "http://127.0.0.1:$PORT/gebied/$AREA.json" $WM
kill $WM

# The signed-in workspace (database reads and writes on every request, behind one lock): an analyst's status
# overview of a round and an area's request as JSON with an API token, and the time of one sign-in (Argon2id).
WDB=$WORK/work.db
cp "$DB" "$WDB"
PASSWORD="bench password for the analyst"
echo "$PASSWORD" | "$BIN" user add --db "$WDB" --email analyst@bench.example --role analyst --password-stdin >/dev/null
TOKEN=$("$BIN" token create --db "$WDB" --email analyst@bench.example 2>/dev/null)
PORT=$(free_port)
"$BIN" serve --db "$WDB" --addr "127.0.0.1:$PORT" --today 2026-05-01 >/dev/null 2>&1 &
WM=$!
wait_for "http://127.0.0.1:$PORT/gebied/$AREA.json"
curl -fs -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"year": 2025}' \
  "http://127.0.0.1:$PORT/api/v1/uitvraag" >/dev/null
sign_in() { # prints the session cookie
  local jar=$WORK/jar token
  token=$(curl -fs -c "$jar" "http://127.0.0.1:$PORT/aanmelden" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//')
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$token" --data-urlencode "email=analyst@bench.example" \
    --data-urlencode "password=$PASSWORD" "http://127.0.0.1:$PORT/aanmelden"
  awk '$6=="wm_session" {print "wm_session=" $7}' "$jar"
}
START=$(date +%s%N)
for _ in $(seq 1 10); do COOKIE=$(sign_in); done
printf '%-34s %10.0f ms per sign-in (mean of 10, Argon2id 19 MiB, 2 passes)\n' "wijkmonitor sign-in" "$(( ($(date +%s%N) - START) / 10000000 ))"
WRK_COOKIE=$COOKIE
cat >"$WORK/cookie.lua" <<LUA
wrk.headers["Cookie"] = "$WRK_COOKIE"
LUA
out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/cookie.lua" "http://127.0.0.1:$PORT/werk/uitvraag/2025")
printf '%-34s %10s req/s  p50 %8s  p99 %8s  peak memory %5s MB  %s\n' "wijkmonitor /werk/uitvraag/2025" \
  "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" "$(peak_mb $WM)" \
  "$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || echo no errors)"
cat >"$WORK/token.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/token.lua" "http://127.0.0.1:$PORT/api/v1/uitvraag/2025/$AREA")
printf '%-34s %10s req/s  p50 %8s  p99 %8s  peak memory %5s MB  %s\n' "wijkmonitor /api/v1/uitvraag/2025/$AREA" \
  "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" "$(peak_mb $WM)" \
  "$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || echo no errors)"
kill $WM

# Datasette serves the same computed figures of the area (after disclosure control) from the same file.
DPORT=$(free_port)
NAME=$(basename "$DB" .db)
datasette serve "$DB" --port "$DPORT" --host 127.0.0.1 --setting num_sql_threads 2 >/dev/null 2>&1 &
DS=$!
wait_for "http://127.0.0.1:$DPORT/$NAME/computed.json?target=$AREA&_shape=array&_size=max"
load "datasette computed?target=$AREA" "http://127.0.0.1:$DPORT/$NAME/computed?target=$AREA&_size=max" $DS
load "datasette computed.json (no count)" "http://127.0.0.1:$DPORT/$NAME/computed.json?target=$AREA&_shape=array&_size=max&_nocount=1&_nofacet=1" $DS
