#!/bin/sh
# SPDX-License-Identifier: MIT
# Run one static test program inside a cvisor sandbox over the shared test
# root (a busybox root built once per build directory), under a timeout.
# Regular files named EXE.fixture.* (test data made at build time) go into
# the root's /tests with the program; CVISOR_FIXTURE_INPLACE=1 in the guest's
# environment tells the program that writing them changes only the sandbox.
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
	for f in "$exe" "$exe".fixture.*; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		if ! cmp -s "$f" "$root/tests/$b"; then
			cp "$f" "$root/tests/.$b.tmp"
			mv "$root/tests/.$b.tmp" "$root/tests/$b"
		fi
	done
) 9>"$root.lock"
case $platform in
*-nopatch) flags="--platform=${platform%-nopatch} --syscall-patching=false" ;;
*) flags="--platform=$platform" ;;
esac
exec timeout -k 5 120 "$cvisor" $flags do --root "$root" \
	--env CVISOR_FIXTURE_INPLACE=1 -- "/tests/$name" "$@"
