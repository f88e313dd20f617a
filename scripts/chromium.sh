#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the end-to-end suite
# (internal/e2e). Idempotent: does nothing when /usr/bin/chromium exists.
# As root it installs the package; as anyone else it says what to do and
# exits 0, so the e2e tests decide (they skip locally, fail under CI=true).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
	exit 0
fi
if [ "$(id -u)" != "0" ]; then
	echo "chromium.sh: /usr/bin/chromium is missing and this is not root;" >&2
	echo "  install it with: sudo apt-get install -y chromium" >&2
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "chromium.sh: no apt-get here; install Chromium by hand for the e2e suite" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium.sh: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
