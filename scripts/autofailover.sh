#!/usr/bin/env bash
# Makes sure pg_auto_failover (Debian's postgresql-15-auto-failover: the
# pg_autoctl command and the pgautofailover extension) is installed for
# `make failover` (scripts/failover.sh). Idempotent: does nothing when
# pg_autoctl exists. As root it installs the package; otherwise it says
# what to do and exits 1.
set -euo pipefail
if command -v pg_autoctl >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "autofailover.sh: pg_autoctl is missing;" >&2
	echo "  install it with: sudo apt-get install -y postgresql-15-auto-failover" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql-15-auto-failover >/dev/null
echo "autofailover.sh: installed $(pg_autoctl --version 2>/dev/null | head -1)"
