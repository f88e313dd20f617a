#!/usr/bin/env bash
# make vuln: govulncheck on every package against an offline copy of the Go
# vulnerability database, built from the golang.org/x/vulndb module (fetched
# through the Go module proxy; the vulnerability website is not needed).
# Fails on any vulnerability in code Suara calls that has a fixed version;
# lists the rest (called without a fix, imported-only, required-only).
#   scripts/vuln.sh           check (builds the database first when missing)
#   scripts/vuln.sh db        (re)build the database of the pinned version
#   scripts/vuln.sh update    pin the newest golang.org/x/vulndb and build it (make vuln-db-update)
set -euo pipefail
cd "$(dirname "$0")/.."
# The Go release with the standard library's security fixes (as the Makefile).
export GOTOOLCHAIN=go1.27.3
export GOFLAGS="${GOFLAGS:--mod=mod}"

GOVULNCHECK=golang.org/x/vuln/cmd/govulncheck@v1.10.0
# The database's version; `scripts/vuln.sh update` rewrites this line.
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018

build_db() {
  local dir="$1" src
  src=$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$src/data/osv" ] || { echo "vuln: no data/osv in golang.org/x/vulndb@$VULNDB_VERSION" >&2; exit 1; }
  echo "== vulnerability database golang.org/x/vulndb@$VULNDB_VERSION ($(ls "$src/data/osv" | wc -l) advisories) -> $dir"
  rm -rf "$dir.tmp"
  # The vulndb module's own tool writes the v1 layout govulncheck -db reads.
  go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$dir.tmp"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

case "${1:-check}" in
  update)
    latest=$(go list -m -f '{{.Version}}' golang.org/x/vulndb@latest)
    sed -i "s/^VULNDB_VERSION=.*/VULNDB_VERSION=$latest/" "$0"
    VULNDB_VERSION=$latest
    build_db ".cache/vulndb/$VULNDB_VERSION"
    echo "pinned golang.org/x/vulndb@$latest in $0"
    exit 0 ;;
  db) build_db ".cache/vulndb/$VULNDB_VERSION"; exit 0 ;;
  check) ;;
  *) echo "usage: $0 [check|db|update]" >&2; exit 2 ;;
esac

db=".cache/vulndb/$VULNDB_VERSION"
[ -f "$db/index/modules.json" ] || build_db "$db"
echo "== govulncheck ($GOVULNCHECK, $(go version | cut -d' ' -f3), database golang.org/x/vulndb@$VULNDB_VERSION)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Exit status 3 only says something was found; the gate below decides.
go run "$GOVULNCHECK" -db "file://$PWD/$db" -format json ./... >"$out"
go run ./scripts/vulngate <"$out"
