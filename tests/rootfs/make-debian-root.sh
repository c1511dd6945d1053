#!/bin/sh
# SPDX-License-Identifier: MIT
# A Debian 12 root for the real-program tests: debootstrap --variant=minbase
# with python3, git, sqlite3 and xz-utils, built once and cached.
# usage: make-debian-root.sh DIR
# The marker DIR/.cvisor-debian-root holds the debootstrap command line the
# root was made with: a root made with another one (say, a changed package
# list) is rebuilt. When debootstrap is missing or fails (no mirror), this
# exits 77 (skip), but 1 under CI (the environment has CI set): CI must not
# pass by skipping the tests.
set -eu
dir=$1
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
include=python3,git,sqlite3,xz-utils,gzip
cmdline="debootstrap --variant=minbase --include=$include bookworm DIR $mirror"
marker=$dir/.cvisor-debian-root

# The host's view of /usr, /etc and /var/lib/dpkg, for 06-find to compare
# the sandbox's with: names, types, modes, owners, sizes, link targets and
# (/etc and /var/lib/dpkg only) md5 sums. Directory sizes and link counts
# are left out: they differ on the native test's tmpfs copy and in the
# sandbox (where lower hard links are separate inodes). Written beside the
# root and renamed in only when it changed: a runner using the root checks
# that nothing in it changes while a script runs.
write_manifest()
{
	m=$dir/.cvisor-find-manifest
	(
		cd "$dir"
		find usr etc var/lib/dpkg -xdev \( -type d -printf '/%p %y %m %U:%G\n' \) -o \
			\( ! -type d -printf '/%p %y %m %U:%G %s %l\n' \)
		find etc var/lib/dpkg -xdev -type f -print0 | xargs -0 md5sum | sed 's|  |  /|'
	) | LC_ALL=C sort >"$dir.manifest"
	if cmp -s "$dir.manifest" "$m"; then
		rm -f "$dir.manifest"
	else
		mv -f "$dir.manifest" "$m"
	fi
}

if [ -e "$marker" ] && [ "$(cat "$marker")" = "$cmdline" ] &&
	[ -x "$dir/usr/bin/python3" ] && [ -x "$dir/usr/bin/git" ] &&
	[ -x "$dir/usr/bin/sqlite3" ]; then
	write_manifest
	exit 0
fi

fail()
{
	echo "make-debian-root: $*" >&2
	if [ -n "${CI:-}" ] && [ "$CI" != false ] && [ "$CI" != 0 ]; then
		echo "make-debian-root: CI is set, so this is a failure, not a skip" >&2
		exit 1
	fi
	exit 77
}

# Is anything mounted at or below $1? (mountinfo field 5 is the mount point;
# octal escapes such as \040 do not occur in our paths.)
mounted_below()
{
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { found = 1 } END { exit !found }' \
		/proc/self/mountinfo
}

# Remove a debootstrap target, unmounting what a failed or killed debootstrap
# left mounted in it first: rm -rf across a live /proc or /sys mount would
# descend into it. Refuse to remove anything still mounted.
remove_tree()
{
	t=$1
	[ -e "$t" ] || return 0
	t=$(cd "$t" && pwd -P)
	for m in proc sys dev/pts dev; do
		if mounted_below "$t/$m"; then
			umount -R "$t/$m" || umount -R -l "$t/$m" || true
		fi
	done
	if mounted_below "$t"; then
		echo "make-debian-root: $t still has mounts below it; not removing it:" >&2
		awk -v p="$t" 'index($5, p "/") == 1 { print "  " $5 }' /proc/self/mountinfo >&2
		exit 1
	fi
	rm -rf "$t"
}

command -v debootstrap >/dev/null ||
	fail "debootstrap is not installed (Debian package debootstrap)"
remove_tree "$dir.tmp"
if ! debootstrap --variant=minbase --include=$include bookworm "$dir.tmp" "$mirror" \
	>"$dir.log" 2>&1; then
	tail -n 5 "$dir.log" | sed 's/^/  /' >&2
	remove_tree "$dir.tmp"
	fail "debootstrap from $mirror failed (mirror unreachable?), see $dir.log"
fi
remove_tree "$dir"
printf '%s\n' "$cmdline" >"$dir.tmp/.cvisor-debian-root"
mv "$dir.tmp" "$dir"
write_manifest
