#!/usr/bin/env bash
# Runs every fuzz target for a while: host resolution, receipt codes, phone
# numbers, upload type detection, the Ollama reply parser and the manifest
# loader. Seed corpora live in testdata/fuzz/<FuzzName>/ beside each target;
# a crasher found here is written there too and fails `go test` until fixed.
#   FUZZTIME=2m scripts/fuzz.sh                       one target after another (make fuzz)
#   FUZZTIME=8s FUZZ_JOBS=8 scripts/fuzz.sh           all at once, one fuzz worker each (make test)
set -euo pipefail
cd "$(dirname "$0")/.."
# The Go release with the standard library's security fixes (as the Makefile).
export GOTOOLCHAIN=go1.27.3
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

logs="$(mktemp -d "${TMPDIR:-/tmp}/suara-fuzz.XXXXXX")"
trap 'rm -rf "$logs"' EXIT

# verdict NAME STATUS: a failure counts unless it is Go's own race at the
# end of -fuzztime (golang/go#75804, fixed in Go 1.27): "context deadline
# exceeded" with no failing input written. CPU starvation on a shared
# machine triggers it; a real crasher always writes its input.
verdict() {
  local log="$logs/$1.log"
  if [ "$2" = 0 ]; then echo "ok   fuzz $1 ($(grep '^fuzz:' "$log" | tail -1))"; return 0; fi
  if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
    echo "ok   fuzz $1 (stopped by Go's fuzztime deadline race, golang/go#75804; no failing input)"; return 0
  fi
  echo "FAIL fuzz $1"; cat "$log"; return 1
}

if [ "$JOBS" -le 1 ]; then
  failed=0
  for t in "${targets[@]}"; do
    read -r pkg name <<<"$t"
    echo "== fuzz $name ($pkg, $FUZZTIME)"
    # -run '^$': only the fuzz target runs, not the package's other tests.
    set +e
    go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1 | tee "$logs/$name.log"
    st=${PIPESTATUS[0]}
    set -e
    verdict "$name" "$st" || failed=1
  done
  exit "$failed"
fi

# Concurrently: one instrumented test binary per package, built once (a
# `go test -fuzz` per target would link it again for every target), then
# every target at once with one fuzz worker each: the run takes the build
# plus FUZZTIME, whatever the number of cores. The corpus cache is the one
# `go test -fuzz` uses, so short and long runs share what they learn.
cache="$(go env GOCACHE)/fuzz/$(go list -m)"
declare -A built=()
bpids=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  [ -n "${built[$pkg]:-}" ] && continue
  built[$pkg]="$logs/$(basename "$pkg").test"
  go test -c -fuzz '^Fuzz' -o "${built[$pkg]}" "$pkg" >"$logs/build-$(basename "$pkg").log" 2>&1 &
  bpids+=("$!")
done
for p in "${bpids[@]}"; do
  if ! wait "$p"; then echo "FAIL fuzz build"; cat "$logs"/build-*.log; exit 1; fi
done
pids=() names=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  dir="${pkg#./}"; dir="${dir%/}"
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 0.2; done
  # In the package folder: seed corpora and new crashers live in its
  # testdata/fuzz.
  (cd "$pkg" && exec "${built[$pkg]}" -test.run '^$' -test.fuzz "^${name}\$" -test.fuzztime "$FUZZTIME" -test.parallel 1 \
    -test.fuzzcachedir "$cache/$dir") >"$logs/$name.log" 2>&1 &
  pids+=("$!") names+=("$name")
done
failed=0
for i in "${!pids[@]}"; do
  st=0; wait "${pids[$i]}" || st=$?
  verdict "${names[$i]}" "$st" || failed=1
done
exit "$failed"
