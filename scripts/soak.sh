#!/usr/bin/env bash
# make soak: a steady mixed load on one `suara serve` (beside one `suara
# worker`) for SOAK_DURATION (default 10m), at half the capacity measured
# for SOAK_MEASURE (default 20s) first: filings with a photo, the staff
# queue, case reads, receipt checks, the union dashboard and the platform's
# cross-union aggregates (`suara bench soak`). A line per minute (p99, 5xx,
# the server's RSS and goroutines, connections to the database), then the
# rows the driver created counted in the database. Runs unattended on its
# own database (suara_soak, recreated); not part of `make test`.
#   SOAK_DURATION=10m   how long the steady load runs
#   SOAK_RATE=N         operations a second instead of half the capacity
#   SOAK_MEASURE=20s    how long the capacity is measured
#   SOAK_CASES=2000     seeded cases over the two bench unions
# Last line: errors_5xx=0 rss_first_mb=A rss_last_mb=B goroutines_first=C
# goroutines_last=D lost_rows=0; the exit status is non-zero on a 5xx, a lost
# row, or RSS or goroutines rising across the last five minutes (never
# falling from one minute to the next and ending >10% above the first).
source "$(dirname "$0")/exercise.sh"
duration="${SOAK_DURATION:-10m}"

exercise_db suara_soak
export SUARA_PATHS_DATA="$logdir/data"
export SUARA_LOG_LEVEL="${SUARA_LOG_LEVEL:-warn}"
export SUARA_CLASSIFY_OLLAMA_ENABLED=false
# The load comes from one address (receipt checks from many): no filing
# or upload limits, as in make bench.
export SUARA_RATE_LIMITS_FILING_PER_IP=100000000 SUARA_RATE_LIMITS_FILING_PER_TENANT=100000000
export SUARA_RATE_LIMITS_UPLOAD_PER_IP=100000000 SUARA_RATE_LIMITS_UPLOAD_PER_TENANT=100000000

echo "== migrate and seed (logs: $logdir)"
"$BIN" migrate >"$logdir/migrate.log" 2>&1 || { cat "$logdir/migrate.log" >&2; exit 1; }
"$BIN" seed bench --tenants 2 --cases "${SOAK_CASES:-2000}" >"$logdir/seed.log" 2>&1 || { cat "$logdir/seed.log" >&2; exit 1; }

port="$(free_port 18381)"
# Classification runs in the worker, as in a deployment with replicas.
start serve env SUARA_HTTP_ADDR="127.0.0.1:$port" SUARA_CLASSIFY_WORKERS=0 "$BIN" serve
start worker "$BIN" worker
wait_port "$port" serve

echo "== soak: serve pid ${pids[serve]} on 127.0.0.1:$port, worker pid ${pids[worker]}, $duration"
rc=0
"$BIN" bench soak -target "http://127.0.0.1:$port" -pid "${pids[serve]}" -db "$EXERCISE_ADMIN_URL" \
  -duration "$duration" -measure "${SOAK_MEASURE:-20s}" ${SOAK_RATE:+-rate "$SOAK_RATE"} || rc=$?
if ! kill -0 "${pids[worker]}" 2>/dev/null; then
  echo "the worker stopped during the soak:" >&2; tail -20 "$logdir/worker.log" >&2; rc=1
fi
if [ "$rc" != 0 ] && [ -s "$logdir/serve.log" ]; then echo "server log (last lines):" >&2; tail -20 "$logdir/serve.log" >&2; fi
exit "$rc"
