#!/usr/bin/env bash
# Performs the container image's steps on this host (for machines without a container runtime): the release build
# of the build stage, the runtime layout (the binary and the entrypoint, a data directory as the only writable
# place, HOME and the cache inside it), the entrypoint building the demo database on first start, and the image's
# health check command against the running server. Exits non-zero when any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$root"' EXIT
echo "== build stage: cargo build --release --locked -p wijkmonitor"
cargo build --release --locked -p wijkmonitor
install -D -m 0755 target/release/wijkmonitor "$root/usr/local/bin/wijkmonitor"
install -D -m 0755 deploy/entrypoint.sh "$root/usr/local/bin/wijkmonitor-entrypoint"
mkdir -p "$root/data"
touch "$root/.installed"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== runtime: entrypoint with WIJKMONITOR_DATA=$root/data on port $port"
PATH="$root/usr/local/bin:$PATH" WIJKMONITOR_DATA="$root/data" HOME="$root/data" XDG_CACHE_HOME="$root/data/cache" \
  WIJKMONITOR_ADDR="127.0.0.1:$port" "$root/usr/local/bin/wijkmonitor-entrypoint" --quiet &
server=$!
echo "== health check (the image's HEALTHCHECK command)"
for _ in $(seq 1 180); do
  if bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && head -n 1 <&3 | grep -q ' 200 '" 2>/dev/null; then
    echo "healthy: $(bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3; tail -n 1 <&3")"
    [ -f "$root/data/wijkmonitor.db" ] || { echo "the database is not in the data directory" >&2; exit 1; }
    echo "the only files written are in the data directory:"; (cd "$root" && find . -newer .installed -type f | grep -v '^./data/' || true)
    exit 0
  fi
  kill -0 "$server" 2>/dev/null || { echo "the server stopped" >&2; exit 1; }
  sleep 1
done
echo "no healthy answer within 3 minutes" >&2
exit 1
