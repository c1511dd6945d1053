#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make-busybox-root.sh - build the small root that the busybox integration
# tests run in: bin/busybox (the host's static busybox from Debian's
# busybox-static) with one relative symlink per applet, usr/bin -> ../bin, a
# fixed etc/ (passwd, group, hostname, motd; deliberately no nsswitch.conf, see
# shared/MACHINE.md), empty tmp/ (1777), dev/, proc/, root/, home/, and the
# fixed input files in data/ that the scripts read. EXTRA_FILEs go to tests/.
#
# Usage: make-busybox-root.sh OUTDIR [EXTRA_FILE...]
#
# Re-running rebuilds OUTDIR from scratch. It only ever empties a directory
# that is empty or carries the .cvisor-busybox-root marker written here.
# BUSYBOX=/path overrides /bin/busybox (it must still be static).
# Exit status: 0 built, 77 no static busybox on the host, 1 error, 2 usage.
set -eu

prog=make-busybox-root.sh
marker=.cvisor-busybox-root

die()
{
	echo "$prog: $*" >&2
	exit 1
}

if [ $# -lt 1 ] || [ -z "$1" ]; then
	echo "usage: $prog OUTDIR [EXTRA_FILE...]" >&2
	exit 2
fi
out=$1
shift

bb=${BUSYBOX:-/bin/busybox}
if [ -z "${BUSYBOX:-}" ] &&
   ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
	echo "$prog: Debian package busybox-static is not installed" \
	     "(apt-get install busybox-static, or set BUSYBOX=/path/to/static/busybox)" >&2
	exit 77
fi
if [ ! -x "$bb" ]; then
	echo "$prog: $bb not found or not executable (package busybox-static)" >&2
	exit 77
fi
# A dynamic busybox would need the host's libc inside the root.
if command -v ldd >/dev/null 2>&1 &&
   ! ldd "$bb" 2>&1 | grep -Eq 'not a dynamic executable|statically linked'; then
	echo "$prog: $bb is dynamically linked; install busybox-static instead of busybox" >&2
	exit 77
fi

for f in "$@"; do
	[ -f "$f" ] || die "extra file \`$f' does not exist"
done

if [ -e "$out" ] || [ -L "$out" ]; then
	[ -d "$out" ] && [ ! -L "$out" ] || die "\`$out' exists and is not a directory"
	if [ ! -e "$out/$marker" ] && [ -n "$(ls -A "$out")" ]; then
		die "\`$out' is not empty and was not made by $prog; refusing to empty it"
	fi
	find "$out" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
else
	mkdir -p "$out"
fi
chmod 0755 "$out"
: >"$out/$marker"

# Modes are set explicitly so the caller's umask does not change the tree.
mkdir -m 0755 "$out/bin" "$out/usr" "$out/etc" "$out/dev" "$out/proc" \
	"$out/home" "$out/data" "$out/tests"
mkdir -m 0700 "$out/root"
mkdir "$out/tmp"
chmod 1777 "$out/tmp"
ln -s ../bin "$out/usr/bin"

cp "$bb" "$out/bin/busybox"
chmod 0755 "$out/bin/busybox"
# One relative symlink per applet, all in bin/ (no sbin: PATH=/bin is enough).
"$bb" --list | (
	cd "$out/bin"
	while IFS= read -r applet; do
		[ "$applet" = busybox ] || ln -s busybox "$applet"
	done
)

cat >"$out/etc/passwd" <<'END'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
END
cat >"$out/etc/group" <<'END'
root:x:0:
nogroup:x:65534:
END
echo cvisor-busybox >"$out/etc/hostname"
cat >"$out/etc/motd" <<'END'
Welcome to the cvisor busybox test root.
Every file here is fixed, so tests can read it.
Writes made inside the sandbox stay inside the sandbox.
END

# Input files for the scripts; their expected outputs depend on every byte.
cat >"$out/data/words.txt" <<'END'
pear
apple
fig
banana
apple
cherry
pear
apple
date
kiwi
banana
apple
grape
fig
pear
lemon
apple
mango
banana
pear
END
cat >"$out/data/numbers.txt" <<'END'
42
7
100
-3
15
7
3.5
0
1000
23
END
cat >"$out/data/people.csv" <<'END'
alice,eng,34,5200
bob,ops,28,4100
carol,eng,41,6100
dave,sales,25,3900
erin,ops,38,4700
frank,eng,29,4800
grace,sales,45,5600
END
cat >"$out/data/poem.txt" <<'END'
Roses grow in the garden.
The garden is quiet at night.

Night birds sing in the GARDEN,
and the river runs by.
river, river, run by the road
The end.
END

for f in "$@"; do
	cp "$f" "$out/tests/"
done
chmod -R a+rX,go-w "$out/etc" "$out/data" "$out/tests"
