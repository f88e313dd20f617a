#!/usr/bin/env bash
# Runs every fuzz target for a while: host resolution, receipt codes, phone
# numbers, upload type detection, the Ollama reply parser and the manifest
# loader. Seed corpora live in testdata/fuzz/<FuzzName>/ beside each target;
# a crasher found here is written there too and fails `go test` until fixed.
#   FUZZTIME=2m scripts/fuzz.sh                       one target after another (make fuzz)
#   FUZZTIME=10s FUZZ_JOBS=8 scripts/fuzz.sh          all at once, one fuzz worker each (make test)
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--mod=mod}"
FUZZTIME="${FUZZTIME:-5s}"
JOBS="${FUZZ_JOBS:-1}"

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

# -run '^$': only the fuzz target runs, not the package's other tests.
fuzz() { go test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" "$@" "$1"; }

if [ "$JOBS" -le 1 ]; then
  for t in "${targets[@]}"; do
    read -r pkg name <<<"$t"
    echo "== fuzz $name ($pkg, $FUZZTIME)"
    fuzz "$pkg" "$name"
  done
  exit 0
fi

# Concurrently: each target gets one fuzz worker (-parallel 1), so the run
# takes FUZZTIME plus the build, whatever the number of cores.
logs="$(mktemp -d "${TMPDIR:-/tmp}/suara-fuzz.XXXXXX")"
trap 'rm -rf "$logs"' EXIT
pids=() names=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 0.2; done
  fuzz "$pkg" "$name" -parallel 1 >"$logs/$name.log" 2>&1 &
  pids+=("$!") names+=("$name")
done
failed=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then
    echo "ok   fuzz ${names[$i]} ($FUZZTIME)"
  else
    echo "FAIL fuzz ${names[$i]}"; cat "$logs/${names[$i]}.log"; failed=1
  fi
done
exit "$failed"
