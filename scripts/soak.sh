#!/usr/bin/env bash
# make soak: a long run at half the benchmarked filing throughput, then a
# verdict: zero 5xx and RSS growth under 10% (acceptance 3 of the
# hardening issue). Not part of `make test`.
#   SOAK_DURATION=10m  how long (default 10m)
#   SOAK_RATE=N        filings per second (default: half of a 30 s benchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--mod=mod}"
DURATION="${SOAK_DURATION:-10m}"

if [ -z "${DATABASE_URL:-}" ]; then
  scripts/pg.sh start >/dev/null
  eval "$(scripts/pg.sh env)"
fi
# The soak driver is a Go test (internal/web/soak_test.go) so it builds the
# production server in-process, on its own fresh database, and can read
# the server's own RSS. `suara bench` measures the same filings over HTTP.
SUARA_SOAK_DURATION="$DURATION" SUARA_SOAK_RATE="${SOAK_RATE:-}" \
  go test -count=1 -timeout 0 -run '^TestSoak$' -v ./internal/web/
