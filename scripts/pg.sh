#!/usr/bin/env bash
# Local PostgreSQL cluster for development and tests.
#   scripts/pg.sh start   create (first time) and start the cluster; idempotent
#   scripts/pg.sh stop    stop it
#   scripts/pg.sh env     print the SUARA_* variables that point at it
# When DATABASE_URL is set, nothing is started: that database is used instead.
set -euo pipefail

cd "$(dirname "$0")/.."
PORT="${SUARA_PG_PORT:-55432}"
PGBIN="${PGBIN:-}"
if [ -z "$PGBIN" ]; then
  for v in 17 16 15 14; do
    if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then PGBIN="/usr/lib/postgresql/$v/bin"; break; fi
  done
fi
if [ -z "$PGBIN" ] && command -v initdb >/dev/null 2>&1; then PGBIN="$(dirname "$(command -v initdb)")"; fi
if [ -z "$PGBIN" ]; then
  echo "PostgreSQL server binaries not found. Install them, e.g.: apt-get install postgresql-15 (or set PGBIN, or DATABASE_URL)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: as root the cluster runs as the postgres
# user, whose data folder must be reachable; a clone under a private folder
# falls back to one under the system temp dir.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

datadir() {
  local d="$PWD/.data/pg"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PWD/.data"
    if ! runuser -u postgres -- test -x "$PWD/.data" 2>/dev/null; then
      d="${TMPDIR:-/tmp}/suara-pg-$(printf %s "$PWD" | md5sum | cut -c1-10)"
    fi
  fi
  echo "$d"
}

DATA="$(datadir)"
SOCK="$DATA/sock"

running() { as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

psql_admin() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }

start() {
  if [ -n "${DATABASE_URL:-}" ]; then echo "DATABASE_URL is set: using it, no local cluster started"; return 0; fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$DATA"; fi
    chmod 700 "$DATA"
    as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    mkdir -p "$SOCK"; if [ "$(id -u)" = 0 ]; then chown postgres: "$SOCK"; fi
    cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
max_connections = 200
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  fi
  if ! running; then
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null
    echo "postgres started on 127.0.0.1:$PORT (data: $DATA)"
  fi
  # Roles: the owner runs migrations, the app role is what the server and
  # tests connect as: no superuser, no BYPASSRLS, owns nothing.
  psql_admin -d postgres <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'suara_owner') THEN
    CREATE ROLE suara_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB PASSWORD 'suara_owner';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'suara_app') THEN
    CREATE ROLE suara_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD 'suara_app';
  END IF;
END $$;
SQL
  if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='suara'")" != 1 ]; then
    psql_admin -d postgres -c "CREATE DATABASE suara OWNER suara_owner"
  fi
}

stop() {
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  if running; then as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null && echo "postgres stopped"; fi
}

env_vars() {
  if [ -n "${DATABASE_URL:-}" ]; then
    echo "export SUARA_DATABASE_URL='$DATABASE_URL'"
    return 0
  fi
  echo "export SUARA_DATABASE_URL='postgres://suara_app:suara_app@127.0.0.1:$PORT/suara?sslmode=disable'"
  echo "export SUARA_DATABASE_OWNER_URL='postgres://suara_owner:suara_owner@127.0.0.1:$PORT/suara?sslmode=disable'"
  echo "export SUARA_TEST_ADMIN_URL='postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable'"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) env_vars ;;
  status) if running; then echo running; else echo stopped; exit 1; fi ;;
  *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
