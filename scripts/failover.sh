#!/usr/bin/env bash
# make failover: a standby that takes over (issue 24, acceptance 3).
#
# Starts pg_auto_failover (Debian's postgresql-15-auto-failover, installed by
# scripts/autofailover.sh) on loopback ports in a temp folder: a monitor, a
# primary and a standby with synchronous replication (pg_auto_failover sets
# synchronous_standby_names = 'ANY 1 (…)' once the standby has caught up;
# synchronous_commit stays on, so a commit is acknowledged only once it is
# on both nodes). Migrates, applies the tenants, seeds the demo and starts
# `suara serve` with a multi-host URL and target_session_attrs=read-write.
# Then scripts/failover (a Go driver) files cases with Idempotency-Keys at a
# steady concurrency, SIGKILLs the primary's postmaster mid-load, and checks
# afterwards that every filing answered 2xx is there once, and how long the
# platform took to answer again. Last line:
#   acknowledged=N lost=0 duplicates=0 recovery_s=S
# Exit 1 when anything was lost or duplicated, or recovery took over 30 s.
#
#   FAILOVER_PORT_BASE=56410  monitor on it, the nodes on +1 and +2, serve on +3
#   FAILOVER_KILL=postmaster  or "node": the keeper too (no restart possible)
#   FAILOVER_KEEP=1           keep the temp folder (logs) afterwards
# 2.5 to 10 minutes by load. Runs as root (PostgreSQL as the postgres user) or as a
# user who can run pg_autoctl.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3
export GOFLAGS="${GOFLAGS:--mod=mod}"

scripts/autofailover.sh
PGBIN=""
for v in 15 16 17; do
  if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then PGBIN="/usr/lib/postgresql/$v/bin"; break; fi
done
[ -n "$PGBIN" ] || { echo "failover.sh: PostgreSQL server binaries not found" >&2; exit 1; }

BASE="${FAILOVER_PORT_BASE:-56410}"
PM=$BASE P1=$((BASE + 1)) P2=$((BASE + 2)) PH=$((BASE + 3))
for p in $PM $P1 $P2 $PH; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "failover.sh: port $p is taken (set FAILOVER_PORT_BASE)" >&2; exit 1
  fi
done

# PostgreSQL refuses to run as root: as root the nodes run as the postgres
# user (as scripts/pg.sh does), in a folder it owns.
D=$(mktemp -d "${TMPDIR:-/tmp}/suara-failover-XXXXXX")
chmod 755 "$D"
if [ "$(id -u)" = 0 ]; then chown postgres: "$D"; fi
as_pg() {
  local env=(env PATH="$PGBIN:$PATH" XDG_CONFIG_HOME="$D/config" XDG_DATA_HOME="$D/share" XDG_RUNTIME_DIR="$D/run")
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "${env[@]}" "$@"; else "${env[@]}" "$@"; fi
}
psql_at() { local port=$1; shift; "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }

groups=()
serve=""
cleanup() {
  [ -n "$serve" ] && kill "$serve" 2>/dev/null || true
  # Each pg_autoctl runs in its own process group (setsid): stop the
  # groups this script started, then give them a moment.
  for g in "${groups[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
  sleep 2
  for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  if [ "${FAILOVER_KEEP:-}" = 1 ]; then echo "failover.sh: logs kept in $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_node NAME ARGS…: `pg_autoctl ARGS…` in a process group of its own
# (setsid execs: its pid is the group's id), so that cleanup — and
# FAILOVER_KILL=node — reach the keeper, its postmaster and every backend.
run_node() {
  local name=$1; shift
  local env=(env PATH="$PGBIN:$PATH" XDG_CONFIG_HOME="$D/config" XDG_DATA_HOME="$D/share" XDG_RUNTIME_DIR="$D/run")
  if [ "$(id -u)" = 0 ]; then
    setsid runuser -u postgres -- "${env[@]}" pg_autoctl "$@" >"$D/$name.log" 2>&1 &
  else
    setsid "${env[@]}" pg_autoctl "$@" >"$D/$name.log" 2>&1 &
  fi
  groups+=($!)
  disown $! # no "Killed" notice when FAILOVER_KILL=node kills it
}

monitor_sql() { psql_at "$PM" -d pg_auto_failover -Atc "$1" 2>/dev/null || true; }

# wait_for WHAT SECONDS CMD…: polls CMD (a function: evaluated each time)
# until it succeeds.
wait_for() {
  local what=$1 limit=$2; shift 2
  local i
  for ((i = 0; i < limit * 2; i++)); do
    if "$@"; then return 0; fi
    sleep 0.5
  done
  echo "failover.sh: timed out waiting for $what; logs:" >&2
  tail -n 15 "$D"/*.log >&2
  exit 1
}

t0=$(date +%s)
echo "failover.sh: monitor on :$PM, nodes on :$P1 and :$P2 (data in $D)"
run_node monitor create monitor --pgdata "$D/monitor" --pgport "$PM" --listen 127.0.0.1 \
  --hostname 127.0.0.1 --auth trust --no-ssl --run
monitor_up() { [ "$(monitor_sql 'SELECT 1')" = 1 ]; }
wait_for "the monitor" 90 monitor_up
# Decide within seconds, not the defaults' half minute: health checks every
# second, a node unhealthy after 3 s, promotion after 10 s of an
# unreachable primary.
for s in "health_check_period = 1000" "health_check_timeout = 1000" "health_check_max_retries = 1" \
  "health_check_retry_delay = 500" "node_considered_unhealthy_timeout = 3000" "primary_demote_timeout = '10s'"; do
  psql_at "$PM" -d pg_auto_failover -c "ALTER SYSTEM SET pgautofailover.$s"
done
psql_at "$PM" -d pg_auto_failover -c "SELECT pg_reload_conf()" >/dev/null
MON="postgres://autoctl_node@127.0.0.1:$PM/pg_auto_failover?sslmode=disable"

node_args() { echo --pgdata "$D/$1" --pgport "$2" --listen 127.0.0.1 --hostname 127.0.0.1 --name "$1" \
  --monitor "$MON" --auth trust --no-ssl --dbname suara --run; }
state_of() { monitor_sql "SELECT reportedstate FROM pgautofailover.node WHERE nodename = '$1'"; }
# shellcheck disable=SC2046
run_node node1 create postgres $(node_args node1 "$P1")
node1_single() { [ "$(state_of node1)" = single ]; }
wait_for "node1 to run alone" 90 node1_single
# shellcheck disable=SC2046
run_node node2 create postgres $(node_args node2 "$P2")
# pg_basebackup waits for a spread checkpoint on the primary: ask for an
# immediate one while the standby is being made.
standby_ready() {
  psql_at "$P1" -d postgres -c CHECKPOINT >/dev/null 2>&1 || true
  [ "$(state_of node1)" = primary ] && [ "$(state_of node2)" = secondary ]
}
wait_for "node2 to become a synchronous standby" 120 standby_ready
# A primary cut off from the monitor and the standby demotes itself after
# network_partition_timeout (20 s by default); the monitor promotes the
# standby after primary_demote_timeout (10 s above): keep the first shorter,
# so two primaries never accept writes at once.
for n in node1 node2; do
  as_pg pg_autoctl config set --pgdata "$D/$n" timeout.network_partition_timeout 5 >/dev/null
  as_pg pg_autoctl reload --pgdata "$D/$n" >/dev/null 2>&1
done
echo "failover.sh: primary and standby up in $(($(date +%s) - t0)) s; on the primary:" \
  "synchronous_standby_names = '$(psql_at "$P1" -d postgres -Atc 'SHOW synchronous_standby_names')'," \
  "synchronous_commit = $(psql_at "$P1" -d postgres -Atc 'SHOW synchronous_commit')," \
  "standby $(psql_at "$P1" -d postgres -Atc "SELECT application_name || ' ' || sync_state FROM pg_stat_replication")"

psql_at "$P1" -d suara <<'SQL'
CREATE ROLE suara_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB PASSWORD 'suara_owner';
CREATE ROLE suara_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD 'suara_app';
ALTER DATABASE suara OWNER TO suara_owner;
SQL

hosts="127.0.0.1:$P1,127.0.0.1:$P2"
q="sslmode=disable&target_session_attrs=read-write"
export SUARA_DATABASE_URL="postgres://suara_app:suara_app@$hosts/suara?$q"
export SUARA_DATABASE_OWNER_URL="postgres://suara_owner:suara_owner@$hosts/suara?$q"
export SUARA_PATHS_DATA="$D/data" SUARA_HTTP_ADDR="127.0.0.1:$PH"
# One client address files all day: lift the filing limits (as make soak).
export SUARA_RATE_LIMITS_FILING_PER_IP=100000000 SUARA_RATE_LIMITS_FILING_PER_TENANT=100000000
go build -o "$D/suara" ./cmd/suara
go build -o "$D/failover-driver" ./scripts/failover
"$D/suara" migrate >"$D/setup.log" 2>&1
"$D/suara" tenants apply >>"$D/setup.log" 2>&1
"$D/suara" seed demo >>"$D/setup.log" 2>&1
"$D/suara" serve >"$D/serve.log" 2>&1 &
serve=$!
ready() { curl -fs -o /dev/null "http://127.0.0.1:$PH/readyz"; }
wait_for "suara serve" 60 ready
echo "failover.sh: suara serve on :$PH with database.url = $SUARA_DATABASE_URL"

case "${FAILOVER_KILL:-postmaster}" in
  postmaster) victim=$(head -1 "$D/node1/postmaster.pid") ;;
  node) victim=-${groups[1]} ;; # node1's process group: keeper, postmaster, backends
  *) echo "failover.sh: FAILOVER_KILL is postmaster or node" >&2; exit 2 ;;
esac
set +e
"$D/failover-driver" -target "http://127.0.0.1:$PH" -host spn.localhost -kill "$victim" \
  -db "postgres://postgres@$hosts/suara?$q" 2>&1 | tee "$D/driver.out"
rc=${PIPESTATUS[0]}
set -e
echo "failover.sh: 5xx answers in the server log: $(grep -c 'status=5[0-9][0-9]' "$D/serve.log" || true);" \
  "whole run $(($(date +%s) - t0)) s; the cluster now:"
as_pg pg_autoctl show state --pgdata "$D/monitor" 2>/dev/null | sed 's/^/  /' || true
tail -n 1 "$D/driver.out"
exit "$rc"
