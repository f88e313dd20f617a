#!/usr/bin/env bash
# Installs axe-core from npm for the browser suite's accessibility checks
# (internal/e2e reads node_modules/axe-core/axe.min.js under the folder it
# prints). The package goes to a cache folder outside the repository, never
# into it. Idempotent: does nothing when the pinned version is there. Without
# npm it says so and exits 0: the e2e tests decide (skip locally, fail
# under CI=true).
set -euo pipefail

version="4.10.2"
dir="${SUARA_AXE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/suara/axe-core-$version}"
if [ -f "$dir/node_modules/axe-core/axe.min.js" ]; then
	echo "$dir"
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	echo "axe.sh: npm is missing; install it (Debian: apt-get install -y npm) for the e2e accessibility checks" >&2
	exit 0
fi
mkdir -p "$dir"
npm install --silent --no-audit --no-fund --no-save --prefix "$dir" "axe-core@$version" >&2
echo "$dir"
