#!/bin/sh
# SPDX-License-Identifier: MIT
# Build (once, cached) a debootstrap'd Debian root with python3, git and
# sqlite3 (tests/rootfs/make-debian-root.sh) and run the Debian scripts in
# it: in a cvisor sandbox (on the default platform or --platform=NAME), or
# natively (--native).
# usage: debian.sh CVISOR [--native | --platform=NAME]
# The cache lives in $CVISOR_CACHE (default /var/cache/cvisor).
set -eu
cvisor=$1 mode=${2:-} platform=
case $mode in --platform=*) platform=${mode#--platform=} mode= ;; esac
# systrap-nopatch: systrap with --syscall-patching=false
flags=${platform:+--platform=${platform%-nopatch} }
case $platform in *-nopatch) flags="$flags--syscall-patching=false " ;; esac
here=$(cd "$(dirname "$0")" && pwd)
# Per-script limit for run.sh: 05-tar and 08-git take 10-35 s in the sandbox
# on a loaded 2-vCPU machine; 60 s would be too close.
export TIMEOUT="${TIMEOUT:-180}"
root=${CVISOR_CACHE:-/var/cache/cvisor}/debian-bookworm
mkdir -p "$(dirname "$root")"
(
	flock 9
	"$here/../rootfs/make-debian-root.sh" "$root"
) 9>"$root.lock" || exit $?
if [ "$mode" = --native ]; then
	exec "$here/busybox/run.sh" --root "$root" --native --scripts "$here/debian"
fi
exec "$here/busybox/run.sh" --root "$root" --sandbox "$cvisor ${flags}do --root $root --" \
	--scripts "$here/debian"
