#!/usr/bin/env bash
# Shared by scripts/replicas.sh and scripts/soak.sh (sourced, not run): a
# database of the exercise's own on the local cluster, free loopback ports,
# processes started in the background and stopped at exit.
#   exercise_db NAME   recreate database NAME (owner suara_owner) and point
#                      SUARA_DATABASE_URL / SUARA_DATABASE_OWNER_URL at it;
#                      EXERCISE_ADMIN_URL is the superuser's URL to it
#   free_port FROM     print the first port from FROM on that nothing listens
#   start NAME CMD…    run CMD in the background, logs in $logdir/NAME.log;
#                      its pid in ${pids[NAME]}
#   wait_port PORT NAME  wait until PORT answers (NAME must still run)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The Go release with the standard library's security fixes (as the Makefile).
export GOTOOLCHAIN=go1.27.3
export GOFLAGS="${GOFLAGS:--mod=mod}"

BIN="${SUARA_BIN:-bin/suara}"
go build -o "$BIN" ./cmd/suara

started_db=0
if [ -n "${SUARA_TEST_ADMIN_URL:-}" ] && [ -n "${SUARA_DATABASE_URL:-}" ] && [ -n "${SUARA_DATABASE_OWNER_URL:-}" ]; then
  : # A cluster is already running and the environment points at it: start nothing.
else
  if ! scripts/pg.sh status >/dev/null 2>&1; then started_db=1; fi
  scripts/pg.sh start >/dev/null
  eval "$(scripts/pg.sh env)"
fi

logdir="$(mktemp -d "${TMPDIR:-/tmp}/suara-exercise.XXXXXX")"
declare -A pids=()
exercise_cleanup() {
  local name
  for name in "${!pids[@]}"; do kill -TERM "${pids[$name]}" 2>/dev/null || true; done
  for name in "${!pids[@]}"; do wait "${pids[$name]}" 2>/dev/null || true; done
  if [ "$started_db" = 1 ]; then scripts/pg.sh stop >/dev/null; fi
}
trap exercise_cleanup EXIT
trap 'exit 130' INT TERM

psql_bin="$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)"; psql_bin="${psql_bin:-psql}"

exercise_db() {
  local name="$1" admin="${SUARA_TEST_ADMIN_URL}"
  "$psql_bin" -X -q "$admin" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)"
  "$psql_bin" -X -q "$admin" -c "CREATE DATABASE $name OWNER suara_owner"
  # The database part of each URL (…/suara?…) becomes …/NAME?…
  SUARA_DATABASE_URL="$(sed -E "s#/[^/?]+\?#/$name?#" <<<"$SUARA_DATABASE_URL")"
  SUARA_DATABASE_OWNER_URL="$(sed -E "s#/[^/?]+\?#/$name?#" <<<"$SUARA_DATABASE_OWNER_URL")"
  EXERCISE_ADMIN_URL="$(sed -E "s#/[^/?]+\?#/$name?#" <<<"$admin")"
  export SUARA_DATABASE_URL SUARA_DATABASE_OWNER_URL EXERCISE_ADMIN_URL
}

free_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port from $1" >&2; return 1
}

start() {
  local name="$1"; shift
  "$@" >"$logdir/$name.log" 2>&1 &
  pids[$name]=$!
}

wait_port() {
  local port="$1" name="$2"
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if ! kill -0 "${pids[$name]}" 2>/dev/null; then echo "$name stopped:" >&2; tail -20 "$logdir/$name.log" >&2; return 1; fi
    sleep 0.1
  done
  echo "$name does not listen on $port after 30 s" >&2; return 1
}
