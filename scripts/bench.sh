#!/usr/bin/env bash
# make bench / make bench-full: measure the platform against PostgreSQL's own
# limit in one run. Starts the local PostgreSQL (unless DATABASE_URL is set),
# recreates a separate `suara_bench` database, migrates, seeds the bench
# tenants, serves on a spare loopback port, drives it with `suara bench`
# (pgbench beside it), and stops what it started. The last lines are
# name=value figures.
#   BENCH_PROFILE=quick|full   (default quick: 2 tenants, 100,000 cases, 7 s per level)
#   BENCH_TENANTS, BENCH_CASES, BENCH_DURATION, BENCH_LEVELS override the profile
#   BENCH_ROUND=1s             submit and queue alternate with pgbench in rounds:
#                              the app this long, pgbench as many transactions, until BENCH_DURATION
#   BENCH_KEEP_DB=1            reuse the existing bench database (seed tops up)
#   BENCH_SCENARIOS=submit,queue  run only these scenarios
#   BENCH_PGBENCH_SCRIPTS=dir  the pgbench scripts (default scripts/pgbench)
# With SUARA_DATABASE_URL, SUARA_DATABASE_OWNER_URL and SUARA_TEST_ADMIN_URL
# set (`eval "$(scripts/pg.sh env)"` of a running cluster), that cluster is
# used and nothing is started or stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Go release with the standard library's security fixes (as the Makefile).
export GOTOOLCHAIN=go1.27.3

case "${BENCH_PROFILE:-quick}" in
  quick) tenants=2;  cases=100000;  duration=7s ;;
  full)  tenants=10; cases=1000000; duration=20s ;;
  *) echo "BENCH_PROFILE must be quick or full" >&2; exit 2 ;;
esac
tenants="${BENCH_TENANTS:-$tenants}"
cases="${BENCH_CASES:-$cases}"
duration="${BENCH_DURATION:-$duration}"
levels="${BENCH_LEVELS:-1,16,64}"

BIN="${SUARA_BIN:-bin/suara}"
[ -x "$BIN" ] || go build -o "$BIN" ./cmd/suara

started_db=0
if [ -n "${SUARA_TEST_ADMIN_URL:-}" ] && [ -n "${SUARA_DATABASE_URL:-}" ] && [ -n "${SUARA_DATABASE_OWNER_URL:-}" ]; then
  : # A cluster is already running and the environment points at it (`eval "$(scripts/pg.sh env)"`): start nothing.
else
  if [ -z "${DATABASE_URL:-}" ] && ! scripts/pg.sh status >/dev/null 2>&1; then started_db=1; fi
  scripts/pg.sh start >/dev/null
  eval "$(scripts/pg.sh env)"
fi

server=""
logdir="$(mktemp -d "${TMPDIR:-/tmp}/suara-bench.XXXXXX")"
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "$started_db" = 1 ]; then scripts/pg.sh stop >/dev/null; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${DATABASE_URL:-}" ]; then
  # A database of its own: the dev database and its demo stay untouched.
  admin="${SUARA_TEST_ADMIN_URL}"
  psql_bin="$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)"; psql_bin="${psql_bin:-psql}"
  if [ "${BENCH_KEEP_DB:-0}" != 1 ]; then
    "$psql_bin" -X -q "$admin" -c "DROP DATABASE IF EXISTS suara_bench WITH (FORCE)"
  fi
  if [ "$("$psql_bin" -X -tA "$admin" -c "SELECT 1 FROM pg_database WHERE datname='suara_bench'")" != 1 ]; then
    "$psql_bin" -X -q "$admin" -c "CREATE DATABASE suara_bench OWNER suara_owner"
  fi
  export SUARA_DATABASE_URL="${SUARA_DATABASE_URL/\/suara\?//suara_bench?}"
  export SUARA_DATABASE_OWNER_URL="${SUARA_DATABASE_OWNER_URL/\/suara\?//suara_bench?}"
fi
export SUARA_PATHS_DATA="$logdir/data"
# The load comes from one address: no filing or upload limits (rate_limits).
export SUARA_RATE_LIMITS_FILING_PER_IP=100000000 SUARA_RATE_LIMITS_FILING_PER_TENANT=100000000
export SUARA_RATE_LIMITS_UPLOAD_PER_IP=100000000 SUARA_RATE_LIMITS_UPLOAD_PER_TENANT=100000000
export SUARA_LOG_LEVEL="${SUARA_LOG_LEVEL:-warn}"

echo "== migrate and seed: $tenants tenants, $cases cases"
"$BIN" migrate 2>"$logdir/migrate.log" || { cat "$logdir/migrate.log" >&2; exit 1; }
"$BIN" seed bench --tenants "$tenants" --cases "$cases"

port=""
for p in $(seq 18080 18180); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port in 18080-18180" >&2; exit 1; }

# Classification jobs are only inserted, as pgbench inserts them: the
# measured server does no model work (a `suara worker` would).
SUARA_HTTP_ADDR="127.0.0.1:$port" SUARA_CLASSIFY_WORKERS=0 "$BIN" serve >"$logdir/serve.out" 2>"$logdir/serve.log" &
server=$!
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$logdir/serve.log" >&2; exit 1; fi
  sleep 0.1
done

echo "== bench: server pid $server on 127.0.0.1:$port, levels $levels, $duration per level (logs: $logdir)"
"$BIN" bench -target "http://127.0.0.1:$port" -pid "$server" -tenants "$tenants" \
  -levels "$levels" -duration "$duration" -round "${BENCH_ROUND:-1s}" -scripts "${BENCH_PGBENCH_SCRIPTS:-scripts/pgbench}" ${BENCH_SCENARIOS:+-scenarios "$BENCH_SCENARIOS"}
