#!/bin/bash
# SPDX-License-Identifier: MIT
# tar czf then tar xzf of a ~50 MB tree (a copy of Python's stdlib plus
# generated files, links and modes), compared file by file with the original.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
set -eu
umask 022
src=/tmp/src
mkdir -p $src/gen
cp -a /usr/lib/python3.11 $src/py
# Generated part (same bytes natively and in the sandbox): 40 dirs x 50 files
# of 1..~8 kB, and 8 files of 2.5 MB of poorly compressible text.
awk -v src=$src 'BEGIN {
	srand(42)
	for (d = 0; d < 40; d++) {
		dir = sprintf("%s/gen/d%02d", src, d)
		system("mkdir " dir)
		for (f = 0; f < 50; f++) {
			path = sprintf("%s/f%02d.txt", dir, f)
			n = 1 + (d * 50 + f) % 97
			for (i = 0; i < n; i++)
				printf "%d %s %d\n", i, dir, int(rand() * 1e9) > path
			close(path)
		}
	}
	for (b = 0; b < 8; b++) {
		path = sprintf("%s/gen/big%d.dat", src, b)
		for (i = 0; i < 100000; i++)
			printf "%08x%08x%08x\n", int(rand() * 2^31), int(rand() * 2^31), i > path
		close(path)
	}
}'
chmod 0755 $src/gen/d00/f00.txt
chmod 0600 $src/gen/d01/f01.txt
ln -s d00/f00.txt $src/gen/link
ln $src/gen/d02/f02.txt $src/gen/hardlink
mkdir $src/gen/empty
echo "generated: $(find $src/gen -type f | wc -l) files, $(cat $src/gen/*/*.txt $src/gen/*.dat | wc -c) bytes"
(cd $src/gen && find . -type f | sort | xargs md5sum | md5sum | cut -c1-32)
size=$(du -sm $src | cut -f1)
[ "$size" -ge 45 ] && echo "tree is at least 45 MB" || echo "tree is only $size MB"

tar -C /tmp -czf /tmp/tree.tgz src
mkdir /tmp/out
tar -C /tmp/out -xzf /tmp/tree.tgz
[ "$(tar -tzf /tmp/tree.tgz | wc -l)" -eq "$(cd /tmp && find src | wc -l)" ] && echo "listing complete"
diff -r /tmp/src /tmp/out/src && echo "diff -r identical"
manifest() { (cd "$1" && find . -printf '%p %y %m %n %l\n' | sort); }
sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 md5sum); }
cmp <(manifest /tmp/src) <(manifest /tmp/out/src) && echo "names, types, modes, links identical"
cmp <(sums /tmp/src) <(sums /tmp/out/src) && echo "md5 of every file identical"
[ "$(stat -c %i /tmp/out/src/gen/hardlink)" = "$(stat -c %i /tmp/out/src/gen/d02/f02.txt)" ] && echo "hard link kept"
echo "readlink $(readlink /tmp/out/src/gen/link)"
rm -rf /tmp/src /tmp/out /tmp/tree.tgz
echo OK
