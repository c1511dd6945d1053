#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh - run every NN-*.sh busybox script in this folder and compare its
# stdout with NN-*.expected (and its exit status with NN-*.status, 0 if that
# file is absent).
#
# Usage: run.sh --root ROOTDIR (--native | --sandbox 'CMD PREFIX') [--scripts DIR] [NAME...]
#   --scripts  where the NN-*.sh scripts are (default: this folder)
#   ROOTDIR    a root made by tests/rootfs/make-busybox-root.sh; the scripts
#              are copied into ROOTDIR/tests/ before anything runs.
#   --sandbox  run `CMD PREFIX /bin/sh /tests/NN-name.sh`, e.g.
#              --sandbox 'build/cvisor do --root ROOTDIR --' (the prefix is
#              split on blanks, so its words cannot contain spaces).
#   --native   run the same command line under chroot on the host (needs root).
#   NAME...    run only these scripts (NN-name or NN-name.sh).
#
# Native mode gives each script what the sandbox gives it: a fresh, writable
# copy of ROOTDIR in memory, plus /dev and /proc. Each script runs in its own
# mount namespace (unshare --mount, propagation private) where a tmpfs holds
# a copy of ROOTDIR, the six device nodes are made with mknod (that tmpfs is
# ours, so it is not mounted nodev like a host /tmp may be), and procfs is
# mounted on /proc. Nothing is bind-mounted from the host and nothing can
# leak: the mounts vanish with the namespace when the script's processes
# exit, even after a timeout, and ROOTDIR itself is never written. /proc is
# needed, not optional: this busybox's ash runs most applets by exec'ing
# /proc/self/exe. The environment is reset to PATH, HOME and TERM; the
# scripts set PATH and umask themselves, since the sandbox's are not theirs.
#
# In sandbox mode the runner also checks that ROOTDIR is unchanged after each
# script, since the sandbox's root is copy-on-write.
#
# Each script runs under `timeout 60` (TIMEOUT=seconds overrides it) with
# stdin from /dev/null. A script exiting 77 is reported as skipped.
# Exit status: 0 all passed, 1 a failure, 2 usage error, 77 nothing ran
# (a prerequisite is missing, or every script skipped).
set -eu

prog=run.sh
here=$(cd "$(dirname "$0")" && pwd)
timeout_s=${TIMEOUT:-60}

usage()
{
	echo "usage: $prog --root ROOTDIR (--native | --sandbox 'CMD PREFIX') [--scripts DIR] [NAME...]" >&2
	exit 2
}

skip_all()
{
	echo "$prog: skipped: $*" >&2
	exit 77
}

root=
mode=
sandbox=
while [ $# -gt 0 ]; do
	case $1 in
	--root)		[ $# -ge 2 ] || usage; root=$2; shift 2 ;;
	--root=*)	root=${1#--root=}; shift ;;
	--sandbox)	[ $# -ge 2 ] || usage; [ -z "$mode" ] || usage
			mode=sandbox; sandbox=$2; shift 2 ;;
	--sandbox=*)	[ -z "$mode" ] || usage; mode=sandbox; sandbox=${1#--sandbox=}; shift ;;
	--native)	[ -z "$mode" ] || usage; mode=native; shift ;;
	--scripts)	[ $# -ge 2 ] || usage; here=$(cd "$2" && pwd); shift 2 ;;
	--)		shift; break ;;
	-*)		usage ;;
	*)		break ;;
	esac
done
[ -n "$root" ] && [ -n "$mode" ] || usage
if [ ! -x "$root/bin/sh" ]; then
	echo "$prog: $root/bin/sh missing; build the root first:" \
	     "tests/rootfs/make-busybox-root.sh $root (or make-debian-root.sh)" >&2
	exit 2
fi
root=$(cd "$root" && pwd)

# The scripts to run, in order.
scripts=
if [ $# -eq 0 ]; then
	for f in "$here"/[0-9][0-9]-*.sh; do
		[ -f "$f" ] && scripts="$scripts $(basename "$f")"
	done
else
	for n in "$@"; do
		n=${n%.sh}.sh
		[ -f "$here/$n" ] || { echo "$prog: no script $n" >&2; exit 2; }
		scripts="$scripts $n"
	done
fi
[ -n "$scripts" ] || { echo "$prog: no scripts in $here" >&2; exit 2; }
# No globbing from here on: $scripts and the --sandbox prefix are split on blanks only.
set -f

case $mode in
native)
	[ "$(id -u)" -eq 0 ] || skip_all "--native needs root (chroot, mount, mknod)"
	for t in unshare chroot mount mknod timeout; do
		command -v $t >/dev/null 2>&1 || skip_all "--native needs $t"
	done
	unshare --mount --propagation private true 2>/dev/null ||
		skip_all "--native needs mount namespaces (unshare --mount failed)"
	chroot_bin=$(command -v chroot)
	;;
sandbox)
	set -- $sandbox
	[ $# -gt 0 ] || usage
	command -v "$1" >/dev/null 2>&1 || { echo "$prog: $1: not found" >&2; exit 2; }
	command -v timeout >/dev/null 2>&1 || skip_all "needs timeout (coreutils)"
	;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/cvisor-busybox.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Copy by rename, and only when changed, so a runner started at the same time
# on the same root never sees a half-written script or a changed ROOTDIR.
mkdir -p "$root/tests"
for s in $scripts; do
	cmp -s "$here/$s" "$root/tests/$s" && continue
	cp "$here/$s" "$root/tests/.$s.$$"
	chmod 0755 "$root/tests/.$s.$$"
	mv -f "$root/tests/.$s.$$" "$root/tests/$s"
done

# Fingerprint of ROOTDIR: names, types, modes, sizes, link targets, mtimes.
root_state()
{
	(cd "$root" && find . -printf '%p %y %m %s %l %T@\n' | LC_ALL=C sort | md5sum)
}

# The interpreter named on a script's #! line (/bin/sh without one).
interpreter()
{
	line=$(head -n 1 "$here/$1")
	case $line in
	'#!'*) line=${line#\#!}; echo "${line%% *}" ;;
	*) echo /bin/sh ;;
	esac
}

# run_native SCRIPT: run the script (with its interpreter) in a private in-memory copy.
run_native()
{
	mkdir "$work/mnt"
	timeout -k 5 "$timeout_s" unshare --mount --propagation private -- /bin/sh -c '
		set -e
		mnt=$1 root=$2 script=$3 chroot_bin=$4 interp=$5
		mount -t tmpfs -o mode=0755,size=2g cvisor-native "$mnt"
		cp -a "$root/." "$mnt/"
		rm -f "$mnt/dev/null"; mknod -m 0666 "$mnt/dev/null" c 1 3
		rm -f "$mnt/dev/zero"; mknod -m 0666 "$mnt/dev/zero" c 1 5
		rm -f "$mnt/dev/full"; mknod -m 0666 "$mnt/dev/full" c 1 7
		rm -f "$mnt/dev/random"; mknod -m 0666 "$mnt/dev/random" c 1 8
		rm -f "$mnt/dev/urandom"; mknod -m 0666 "$mnt/dev/urandom" c 1 9
		rm -f "$mnt/dev/tty"; mknod -m 0666 "$mnt/dev/tty" c 5 0
		mount -t proc proc "$mnt/proc"
		cd /
		exec env -i PATH=/bin:/usr/bin HOME=/root TERM=dumb \
			"$chroot_bin" "$mnt" "$interp" "/tests/$script"
	' sh "$work/mnt" "$root" "$1" "$chroot_bin" "$(interpreter "$1")"
}

run_sandbox()
{
	# $sandbox is split on blanks on purpose: it is a command prefix.
	timeout -k 5 "$timeout_s" $sandbox "$(interpreter "$1")" "/tests/$1"
}

passed=0
failed=0
skipped=0
for s in $scripts; do
	name=${s%.sh}
	out=$work/$name.out
	err=$work/$name.err
	want_status=0
	[ -f "$here/$name.status" ] && want_status=$(cat "$here/$name.status")
	[ "$mode" = sandbox ] && before=$(root_state)

	status=0
	"run_$mode" "$s" </dev/null >"$out" 2>"$err" || status=$?
	rm -rf "${work:?}/mnt"

	if [ $status -eq 77 ]; then
		echo "skip $name"
		sed 's/^/    /' "$err"
		skipped=$((skipped + 1))
		continue
	fi
	why=
	if [ ! -f "$here/$name.expected" ]; then
		why="no $name.expected"
	elif ! diff -u "$here/$name.expected" "$out" >"$work/diff"; then
		why="stdout differs from $name.expected"
	fi
	case $status in
	124|137) why="${why:+$why; }timed out after ${timeout_s}s" ;;
	"$want_status") ;;
	*) why="${why:+$why; }exit status $status, expected $want_status" ;;
	esac
	if [ "$mode" = sandbox ] && [ "$(root_state)" != "$before" ]; then
		why="${why:+$why; }ROOTDIR was modified on the host"
	fi

	if [ -z "$why" ]; then
		echo "ok $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name: $why"
		[ -s "$work/diff" ] && cat "$work/diff"
		if [ -s "$err" ]; then
			echo "--- stderr of $name:"
			cat "$err"
		fi
		failed=$((failed + 1))
	fi
	rm -f "$work/diff"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] || exit 1
[ $passed -gt 0 ] || exit 77
exit 0
