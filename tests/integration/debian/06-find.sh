#!/bin/bash
# SPDX-License-Identifier: MIT
# find over the Debian root: the names, types, modes, owners, sizes, link
# targets and (for /etc and /var/lib/dpkg) md5 sums of /usr, /etc and
# /var/lib/dpkg must be the host's, listed by tests/rootfs/make-debian-root.sh
# into /.cvisor-find-manifest. Then -xdev, -newer, -size, -exec + and -delete.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
set -eu
cd /
manifest=/.cvisor-find-manifest
[ -s $manifest ] || { echo "no $manifest: rebuild the root with make-debian-root.sh" >&2; exit 1; }
{
	find /usr /etc /var/lib/dpkg -xdev \( -type d -printf '%p %y %m %U:%G\n' \) -o \
		\( ! -type d -printf '%p %y %m %U:%G %s %l\n' \)
	find /etc /var/lib/dpkg -xdev -type f -print0 | xargs -0 md5sum
} | sort >/tmp/find.lst
n=$(wc -l </tmp/find.lst)
[ "$n" -gt 10000 ] && echo "more than 10000 entries"
if cmp -s /tmp/find.lst $manifest; then
	echo "same as the host's list"
else
	echo "differs from the host's list ($n lines, host $(wc -l <$manifest)):"
	diff $manifest /tmp/find.lst | head -20
fi
[ "$(find /usr -xdev | wc -l)" -eq "$(grep -c '^/usr[/ ]' $manifest)" ] && echo "find /usr count matches"
# -xdev stays off /proc (another mount) but lists its mount point.
find / -xdev -maxdepth 1 -name proc
[ "$(find / -xdev -path '/proc/*' | wc -l)" -eq 0 ] && echo "-xdev skips /proc"
[ "$(find / -xdev | wc -l)" -gt "$(find /usr /etc /var/lib/dpkg -xdev | wc -l)" ] &&
	echo "find / -xdev sees more than /usr, /etc, /var/lib/dpkg"
mkdir -p /tmp/f/a/b /tmp/f/c
head -c 5000 /dev/zero >/tmp/f/a/big
echo small >/tmp/f/a/b/small
touch -d '2001-01-01 00:00:00' /tmp/f/c/old /tmp/f/ref
touch /tmp/f/c/new
find /tmp/f -type f -size +4k
find /tmp/f -type f -newer /tmp/f/ref | sort
find /tmp/f -type f -exec cat {} + | wc -c
find /tmp/f -depth -mindepth 1 -delete
find /tmp/f | wc -l
rm -r /tmp/f /tmp/find.lst
