#!/usr/bin/env bash
# make run: database up, schema migrated, tenants applied, demo seeded, serve.
# Stops what it started on exit (Ctrl-C included).
set -euo pipefail
cd "$(dirname "$0")/.."

# ffmpeg cleans video and audio evidence (without it they are refused).
scripts/tools.sh

started_db=0
if [ -z "${DATABASE_URL:-}" ] && ! scripts/pg.sh status >/dev/null 2>&1; then started_db=1; fi
scripts/pg.sh start
eval "$(scripts/pg.sh env)"
cleanup() { if [ "$started_db" = 1 ]; then scripts/pg.sh stop; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

bin/suara migrate
bin/suara tenants apply
bin/suara seed demo
bin/suara serve &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server; exit 130' INT TERM
wait $server
