#!/usr/bin/env bash
# Builds SeaweedFS's `weed` (Apache-2.0; a real S3-compatible server) once
# per user, into ${XDG_CACHE_HOME:-$HOME/.cache}/suara/seaweedfs/<version>/
# (outside the clone, so every clone and CI checkout on the machine reuses
# it; SUARA_WEED_CACHE overrides), through the Go module proxy, and prints
# the binary's path. The build runs at nice 19 and logs to build.log in that
# folder (138 s here with a warm Go build cache). The S3 evidence store's tests start it on loopback
# ports (internal/evidence/s3_test.go); they find it through SUARA_WEED_BIN.
# Idempotent: a built binary of the pinned version is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3
export GOFLAGS="${GOFLAGS:--mod=mod}"

SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
dir="${SUARA_WEED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/suara/seaweedfs}/$SEAWEEDFS_VERSION"
if [ ! -x "$dir/weed" ]; then
  echo "seaweedfs.sh: building github.com/seaweedfs/seaweedfs/weed@$SEAWEEDFS_VERSION (once; several minutes)" >&2
  mkdir -p "$dir"
  # Its go.mod has a replace directive, which `go install pkg@version`
  # refuses; so the module is fetched through the module proxy and built
  # as the main module from its own folder in the module cache (read-only:
  # nothing is written there). CGO off: a static binary, no C toolchain.
  src=$(GOFLAGS=-mod=mod go mod download -json "github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src" ] || { echo "seaweedfs.sh: module download failed" >&2; exit 1; }
  start=$(date +%s)
  if ! (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=readonly nice -n 19 go build -trimpath -ldflags "-s -w" -o "$dir/weed.tmp" ./weed) >"$dir/build.log" 2>&1; then
    echo "seaweedfs.sh: build failed; see $dir/build.log" >&2
    tail -n 20 "$dir/build.log" >&2
    exit 1
  fi
  mv "$dir/weed.tmp" "$dir/weed"
  echo "seaweedfs.sh: built in $(( $(date +%s) - start )) s" | tee -a "$dir/build.log" >&2
fi
echo "$dir/weed"
