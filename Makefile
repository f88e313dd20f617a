# Suara — two commands: `make run` (platform with demo unions) and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/suara
export GOFLAGS ?= -mod=mod
# The Go release with the standard library's security fixes. A machine runs
# its own Go and ignores go.mod's toolchain line (GOTOOLCHAIN=local), so it is
# set here, for every target; the go command fetches it through the module
# proxy on first use (about 76 MB, once per machine). Also set in scripts/*.sh
# and .ci/run.
export GOTOOLCHAIN := go1.27.3

.PHONY: failover test-replicas test-s3 run test build db-start db-stop vet fmt-check bench bench-full bench-analytics clean fuzz soak lint vuln vuln-db vuln-db-update

build:
	$(GO) build -o $(BIN) ./cmd/suara

# Starts the local PostgreSQL (unless DATABASE_URL is set), migrates, applies
# the tenant manifests, seeds the demo and serves on :8080. Ctrl-C stops the
# server and the database this command started.
run: build
	@scripts/run.sh

# vet, formatting and every test (race detector on but for the HTTP layer) against a real PostgreSQL.
test:
	@scripts/test.sh

# The S3 evidence store against a real S3-compatible server: SeaweedFS,
# built once per user into ~/.cache/suara/seaweedfs/ (scripts/seaweedfs.sh;
# 138 s the first time here, with a warm Go build cache), started by the
# tests on loopback ports; the tests take 2 to 4.5 minutes by load. Starts
# (and then stops) the local PostgreSQL when none is set, for the web test.
# Not in make test: the first build takes long.
test-s3:
	@weed=$$(scripts/seaweedfs.sh) || exit 1; started=0; \
	if [ -z "$${SUARA_TEST_ADMIN_URL:-}" ]; then \
	  scripts/pg.sh status >/dev/null 2>&1 || started=1; \
	  scripts/pg.sh start >/dev/null && eval "$$(scripts/pg.sh env)"; \
	fi; \
	SUARA_S3_TESTS=1 SUARA_WEED_BIN=$$weed $(GO) test -count=1 -timeout 10m -run 'S3' -v ./internal/evidence/ ./internal/web/; rc=$$?; \
	if [ $$started = 1 ]; then scripts/pg.sh stop >/dev/null; fi; exit $$rc

# A standby that takes over: pg_auto_failover (monitor, primary, synchronous
# standby; Debian's postgresql-15-auto-failover, installed when missing and
# root) on loopback ports, `suara serve` on a multi-host URL, a filing load
# with Idempotency-Keys, the primary's postmaster SIGKILLed mid-load. Ends
# with `acknowledged=N lost=0 duplicates=0 recovery_s=S`. 2.5 min on a quiet
# machine, 10 at load average 30 (building and seeding dominate).
failover:
	@scripts/failover.sh

# Real-browser end-to-end suite (headless Chromium, installed when missing
# and root); screenshots of every step land in e2e-screenshots/.
e2e:
	@scripts/chromium.sh
	@if [ -z "$${SUARA_TEST_ADMIN_URL:-}" ]; then scripts/pg.sh start && eval "$$(scripts/pg.sh env)"; fi; \
	$(GO) test -count=1 -timeout 20m ./internal/e2e/...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# The platform against PostgreSQL's own limit, side by side (BENCHMARKS.md):
# a quick profile (100,000 cases, ≈3 minutes) and the large one.
bench: build
	@BENCH_PROFILE=quick scripts/bench.sh

bench-full: build
	@BENCH_PROFILE=full scripts/bench.sh

# Cross-union analytics at 10,000,000 cases (SUARA_BENCH_CASES): the
# explorer's p95 per query shape and the rollup's cases/s at that scale.
# About 25 minutes the first time; the filled database is kept as a
# template, so a rerun on the same migrations takes a few minutes. The
# figures end the output as name=value lines (p95_ms_<shape>, p95_ms_all,
# rollup_cases_per_s); SUARA_BENCH_CASES=1000000 for a shorter run.
bench-analytics:
	@scripts/pg.sh start >/dev/null && eval "$$(scripts/pg.sh env)" && \
	  go test -count=1 -run '^$$' -bench BenchmarkExplorer -benchtime 20x -timeout 3h -v ./internal/analytics/

db-start:
	@scripts/pg.sh start

db-stop:
	@scripts/pg.sh stop

clean:
	rm -rf bin

# Every fuzz target for FUZZTIME each (CI runs them all at once for 8 s after make test).
fuzz:
	@FUZZTIME=$${FUZZTIME:-2m} scripts/fuzz.sh

# 10 minutes (SOAK_DURATION) of a mixed load at half the measured capacity:
# zero 5xx, no upward trend in RSS or goroutines over the last five
# minutes, every created row in the database. Not part of make test.
soak:
	@scripts/soak.sh

# Two serve replicas and a worker on one database: the filing limit holds in
# total, a rename reaches the other replica within a second (≈35 s).
test-replicas:
	@scripts/replicas.sh

# go vet, staticcheck (0 findings) and Spectral on internal/web/openapi.yaml
# (0 errors or warnings under .spectral.yaml); tools cached under .cache/.
lint:
	@scripts/lint.sh

# govulncheck against an offline Go vulnerability database (from the
# golang.org/x/vulndb module, pinned in scripts/vuln.sh, built under .cache/):
# fails on a called vulnerability that has a fix, lists the rest.
vuln:
	@scripts/vuln.sh

# Rebuild the pinned database; vuln-db-update pins the newest one.
vuln-db:
	@scripts/vuln.sh db

vuln-db-update:
	@scripts/vuln.sh update
