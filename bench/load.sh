#!/usr/bin/env bash
# Mixed load on the release server over loopback, two runs of DURATION (default 60 s) each:
#   - 150 connections of public traffic (pages in two languages, JSON and CSV twins, the API, the full download),
#   - 50 connections of workspace API calls with tokens (reads of the request, statuses, register, audit log,
#     and saves of a draft),
#   - 500 idle connections held open (reopened when the server closes an idle one), and two sign-ins a second;
#   - in the second run also one client sending the oversized multipart upload (a 200,000-character boundary) in
#     a loop.
# Prints per run: requests/s, p50 and p99 of the public and of the workspace traffic, errors (non-2xx and socket
# errors), the side traffic's outcome, and the server's peak memory.
#
#   apt-get install -y wrk; cargo build --release -p wijkmonitor
#   bench/load.sh [DB]        # default: a demo database built into a temporary folder
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/wijkmonitor
DURATION=${DURATION:-60s}
SECONDS_RUN=${DURATION%s}
AREA=${AREA:-heerlen-noord}
[ -x "$BIN" ] || { echo "build first: cargo build --release -p wijkmonitor" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
ulimit -n 8192 2>/dev/null || true

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
DB=${1:-$WORK/demo.db}
[ -f "$DB" ] || "$BIN" demo --db "$DB" >/dev/null
WDB=$WORK/work.db
cp "$DB" "$WDB"
PASSWORD="bench password for the accounts"
for who in "editor@bench.example area-editor --area $AREA" "analyst@bench.example analyst"; do
  set -- $who
  echo "$PASSWORD" | "$BIN" user add --db "$WDB" --email "$1" --role "$2" "${@:3}" --password-stdin >/dev/null
done
export TOKEN_EDITOR TOKEN_ANALYST AREA
TOKEN_EDITOR=$("$BIN" token create --db "$WDB" --email editor@bench.example 2>/dev/null)
TOKEN_ANALYST=$("$BIN" token create --db "$WDB" --email analyst@bench.example 2>/dev/null)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }
summary() { # name wrk-output
  printf '  %-10s %9s req/s  p50 %8s  p99 %8s  %s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$2")" \
    "$(awk '$1=="50%" {print $2}' <<<"$2")" "$(awk '$1=="99%" {print $2}' <<<"$2")" \
    "$(grep -E "Non-2xx|Socket errors|Requests\/sec" <<<"$2" | grep -v Requests | tr '\n' ' ' | sed 's/  */ /g' || true)"
  grep -qE "Non-2xx|Socket errors" <<<"$2" && echo "  ERRORS in $1" || true
}

run() { # label [--attack]
  local port pid
  port=$(free_port)
  "$BIN" serve --db "$WDB" --addr "127.0.0.1:$port" --today 2026-05-01 --insecure-cookies >"$WORK/server.log" 2>&1 &
  pid=$!
  wait_for "http://127.0.0.1:$port/healthz"
  curl -fs -X POST -H "Authorization: Bearer $TOKEN_ANALYST" -H 'Content-Type: application/json' -d '{"year": 2025}' \
    "http://127.0.0.1:$port/api/v1/uitvraag" >/dev/null 2>&1 || true
  python3 bench/load_side.py --port "$port" --seconds "$SECONDS_RUN" --email analyst@bench.example \
    --password "$PASSWORD" "${@:2}" >"$WORK/side.json" &
  local side=$!
  sleep 2
  wrk -t1 -c150 -d"$DURATION" --latency -s bench/load_public.lua "http://127.0.0.1:$port" >"$WORK/public.txt" &
  local wp=$!
  wrk -t1 -c50 -d"$DURATION" --latency -s bench/load_work.lua "http://127.0.0.1:$port" >"$WORK/work.txt"
  wait $wp; wait $side
  echo "$1:"
  summary public "$(cat "$WORK/public.txt")"
  summary workspace "$(cat "$WORK/work.txt")"
  echo "  side traffic: $(cat "$WORK/side.json")"
  printf '  server peak memory %s MB, %s request log lines\n' "$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status")" \
    "$(grep -c '"route"' "$WORK/server.log" || true)"
  kill $pid
}

run "mixed load, 200 connections + 500 idle"
run "the same, with one client sending the oversized upload in a loop" --attack
