#!/usr/bin/env bash
# The container's entrypoint: serve $WIJKMONITOR_DATA/wijkmonitor.db on port 8080, building the demo database there
# first when there is none. Extra arguments go to `wijkmonitor serve` (e.g. --trusted-proxy 10.0.0.0/8).
set -euo pipefail
data=${WIJKMONITOR_DATA:-/data}
db="$data/wijkmonitor.db"
if [ ! -f "$db" ]; then
  echo "no database at $db: building the demo database (synthetic figures)" >&2
  wijkmonitor demo --db "$db"
fi
exec wijkmonitor serve --db "$db" --addr "${WIJKMONITOR_ADDR:-0.0.0.0:8080}" "$@"
