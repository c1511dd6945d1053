#!/bin/sh
# SPDX-License-Identifier: MIT
# A Debian 12 root for the real-program tests: debootstrap --variant=minbase
# with python3, built once and cached (rebuilt when missing or incomplete).
# usage: make-debian-root.sh DIR
# Exits 77 (skip) when debootstrap is missing or the mirror cannot be reached.
set -eu
dir=$1
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ -e "$dir/.cvisor-debian-root" ] && [ -x "$dir/usr/bin/python3" ]; then
	exit 0
fi
if ! command -v debootstrap >/dev/null; then
	echo "make-debian-root: debootstrap is not installed (Debian package debootstrap)" >&2
	exit 77
fi
rm -rf "$dir.tmp"
if ! debootstrap --variant=minbase --include=python3 bookworm "$dir.tmp" "$mirror" >"$dir.log" 2>&1; then
	echo "make-debian-root: debootstrap failed, see $dir.log" >&2
	rm -rf "$dir.tmp"
	exit 77
fi
rm -rf "$dir"
mv "$dir.tmp" "$dir"
touch "$dir/.cvisor-debian-root"
