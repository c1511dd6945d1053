#!/bin/sh
# SPDX-License-Identifier: MIT
# Run one static test program inside a cvisor sandbox over the shared test
# root (a busybox root built once per build directory), under a timeout.
# usage: sandbox-run.sh CVISOR ROOT PLATFORM EXE [ARGS...]
# PLATFORM: ptrace, systrap, or systrap-nopatch (--syscall-patching=false)
set -eu
cvisor=$1 root=$2 platform=$3 exe=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$exe")
(
	flock 9
	if [ ! -e "$root/.cvisor-busybox-root" ]; then
		"$here/rootfs/make-busybox-root.sh" "$root" >/dev/null
	fi
	mkdir -p "$root/tests"
	if ! cmp -s "$exe" "$root/tests/$name"; then
		cp "$exe" "$root/tests/.$name.tmp"
		mv "$root/tests/.$name.tmp" "$root/tests/$name"
	fi
) 9>"$root.lock"
case $platform in
*-nopatch) flags="--platform=${platform%-nopatch} --syscall-patching=false" ;;
*) flags="--platform=$platform" ;;
esac
exec timeout -k 5 120 "$cvisor" $flags do --root "$root" -- "/tests/$name" "$@"
