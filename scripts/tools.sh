#!/usr/bin/env bash
# Makes sure the tools evidence cleaning needs are installed: ffmpeg (remuxes
# video and audio without their metadata; without it the server refuses
# those kinds) and exiftool (the tests' independent reader of metadata).
# Idempotent: does nothing when both are on PATH. As root it installs the
# Debian packages ffmpeg and libimage-exiftool-perl; as anyone else it says
# what to install and exits 0 (the tests then skip locally, fail under CI=true).
set -euo pipefail

missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
command -v exiftool >/dev/null 2>&1 || missing+=(libimage-exiftool-perl)
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "tools.sh: missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "tools.sh: installed ${missing[*]}"
