#!/usr/bin/env bash
# make test-replicas: two `suara serve` replicas and one `suara worker` on
# one database (suara_replicas, recreated), driven by `suara bench
# replicas`: a per-address filing limit of N (REPLICAS_LIMIT, default 5)
# must allow N filings in total across both replicas, not 2N, and a union
# renamed through replica 1 by its admin must be served under its new name
# by replica 2 within a second. Last line: limit=N allowed=M rename_seen_ms=T.
source "$(dirname "$0")/exercise.sh"

exercise_db suara_replicas
export SUARA_PATHS_DATA="$logdir/data"
export SUARA_LOG_LEVEL="${SUARA_LOG_LEVEL:-warn}"
export SUARA_CLASSIFY_OLLAMA_ENABLED=false
# The limit under test, in an hour-long window (the driver starts clear of
# its boundary); the union-wide limit stays out of the way.
export SUARA_RATE_LIMITS_FILING_PER_IP="${REPLICAS_LIMIT:-5}" SUARA_RATE_LIMITS_FILING_PER_TENANT=100000
export SUARA_RATE_LIMITS_WINDOW=1h

echo "== migrate and seed (logs: $logdir)"
"$BIN" migrate >"$logdir/migrate.log" 2>&1 || { cat "$logdir/migrate.log" >&2; exit 1; }
"$BIN" seed bench --tenants 1 --cases 50 >"$logdir/seed.log" 2>&1 || { cat "$logdir/seed.log" >&2; exit 1; }

p1="$(free_port 18281)"
p2="$(free_port $((p1 + 1)))"
start serve1 env SUARA_HTTP_ADDR="127.0.0.1:$p1" SUARA_CLASSIFY_WORKERS=0 "$BIN" serve
start serve2 env SUARA_HTTP_ADDR="127.0.0.1:$p2" SUARA_CLASSIFY_WORKERS=0 "$BIN" serve
start worker "$BIN" worker
wait_port "$p1" serve1
wait_port "$p2" serve2
kill -0 "${pids[worker]}" 2>/dev/null || { echo "worker stopped:" >&2; cat "$logdir/worker.log" >&2; exit 1; }

echo "== replicas: serve on 127.0.0.1:$p1 (pid ${pids[serve1]}) and :$p2 (pid ${pids[serve2]}), worker pid ${pids[worker]}"
start_s=$SECONDS
rc=0
"$BIN" bench replicas -targets "http://127.0.0.1:$p1,http://127.0.0.1:$p2" >"$logdir/driver.out" || rc=$?
head -n -1 "$logdir/driver.out"
# The worker's part: every filing's classification job is worked (by the
# one `suara worker`; the replicas only enqueue).
sql() { "$psql_bin" -X -tA "$EXERCISE_ADMIN_URL" -c "$1"; }
for _ in $(seq 1 100); do
  [ "$(sql "SELECT count(*) FROM river_job WHERE kind = 'classify_case' AND state <> 'completed'")" = 0 ] && break
  sleep 0.2
done
classified="$(sql "SELECT count(*) FROM river_job WHERE kind = 'classify_case' AND state = 'completed'")"
pending="$(sql "SELECT count(*) FROM river_job WHERE kind = 'classify_case' AND state <> 'completed'")"
echo "classified_by_worker=$classified classify_pending=$pending"
if [ "$pending" != 0 ] && [ "$rc" = 0 ]; then echo "the worker left $pending classification jobs undone" >&2; rc=1; fi
echo "setup_s=$start_s driver_s=$((SECONDS - start_s))"
tail -n 1 "$logdir/driver.out"
exit "$rc"
