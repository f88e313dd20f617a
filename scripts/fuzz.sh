#!/usr/bin/env bash
# Runs every fuzz target for a while: host resolution, receipt codes, phone
# numbers, upload type detection, the Ollama reply parser and the manifest
# loader. Seed corpora live in testdata/fuzz/<FuzzName>/ beside each target;
# a crasher found here is written there too and fails `go test` until fixed.
#   scripts/fuzz.sh            5 s per target (make test)
#   FUZZTIME=2m scripts/fuzz.sh   longer (make fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--mod=mod}"
FUZZTIME="${FUZZTIME:-5s}"

targets=(
  "./internal/tenant/   FuzzNormaliseHost"
  "./internal/tenant/   FuzzParseManifest"
  "./internal/cases/    FuzzNormaliseReceipt"
  "./internal/auth/     FuzzNormalisePhone"
  "./internal/evidence/ FuzzDetect"
  "./internal/evidence/ FuzzIngest"
  "./internal/evidence/ FuzzSafeName"
  "./internal/classify/ FuzzOllamaReply"
)
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "== fuzz $name ($pkg, $FUZZTIME)"
  # -run '^$': only the fuzz target runs, not the package's other tests.
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"
done
