#!/usr/bin/env bash
# make lint: go vet, staticcheck (0 findings) and Spectral on the OpenAPI
# document (0 errors or warnings under .spectral.yaml). The tools are pinned
# and cached under .cache/ (gitignored): staticcheck through the Go module
# proxy, Spectral from npm.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Go release with the standard library's security fixes (as the Makefile).
export GOTOOLCHAIN=go1.27.3
export GOFLAGS="${GOFLAGS:--mod=mod}"

STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.8.2
SPECTRAL_VERSION=6.16.3

echo "== go vet"
go vet ./...
echo "== staticcheck ($STATICCHECK)"
go run "$STATICCHECK" ./...

echo "== spectral (@stoplight/spectral-cli@$SPECTRAL_VERSION, ruleset .spectral.yaml)"
dir=.cache/spectral-$SPECTRAL_VERSION
if [ ! -x "$dir/node_modules/.bin/spectral" ]; then
  command -v npm >/dev/null || { echo "lint: npm is needed for Spectral (Debian: apt-get install npm)" >&2; exit 1; }
  npm install --silent --no-audit --no-fund --prefix "$dir" "@stoplight/spectral-cli@$SPECTRAL_VERSION" >/dev/null
fi
"$dir/node_modules/.bin/spectral" lint --ruleset .spectral.yaml --fail-severity warn internal/web/openapi.yaml
