#!/usr/bin/env bash
# make soak: a long run at half the benchmarked filing throughput, then a
# verdict: zero 5xx and RSS growth under 10% (acceptance 3 of the
# hardening issue). Not part of `make test`.
#   SOAK_DURATION=10m  how long (default 10m)
#   SOAK_RATE=N        filings per second (default: half of a 30 s benchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
# The Go release with the standard library's security fixes (as the Makefile).
export GOTOOLCHAIN=go1.27.3
export GOFLAGS="${GOFLAGS:--mod=mod}"
DURATION="${SOAK_DURATION:-10m}"

# The driver builds its own database with the test harness: it needs
# SUARA_TEST_ADMIN_URL, and starts (then stops) the local cluster without it.
started_db=0
if [ -z "${SUARA_TEST_ADMIN_URL:-}" ]; then
  if ! scripts/pg.sh status >/dev/null 2>&1; then started_db=1; fi
  scripts/pg.sh start >/dev/null
  eval "$(scripts/pg.sh env)"
fi
cleanup() { if [ "$started_db" = 1 ]; then scripts/pg.sh stop >/dev/null; fi; }
trap cleanup EXIT
# One client address filing 70 a second: no filing limits (config
# rate_limits; the test harness lifts them too).
export SUARA_RATE_LIMITS_FILING_PER_IP=100000000 SUARA_RATE_LIMITS_FILING_PER_TENANT=100000000
# The soak driver is a Go test (internal/web/soak_test.go) so it builds the
# production server in-process, on its own fresh database, and can read
# the server's own RSS. `suara bench` measures the same filings over HTTP.
SUARA_SOAK_DURATION="$DURATION" SUARA_SOAK_RATE="${SOAK_RATE:-}" \
  go test -count=1 -timeout 0 -run '^TestSoak$' -v ./internal/web/
