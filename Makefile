# Suara — two commands: `make run` (platform with demo unions) and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/suara
export GOFLAGS ?= -mod=mod

.PHONY: run test build db-start db-stop vet fmt-check bench clean

build:
	$(GO) build -o $(BIN) ./cmd/suara

# Starts the local PostgreSQL (unless DATABASE_URL is set), migrates, applies
# the tenant manifests, seeds the demo and serves on :8080. Ctrl-C stops the
# server and the database this command started.
run: build
	@scripts/run.sh

# vet, formatting and every test (race detector on) against a real PostgreSQL.
test:
	@scripts/test.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

db-start:
	@scripts/pg.sh start

db-stop:
	@scripts/pg.sh stop

clean:
	rm -rf bin
