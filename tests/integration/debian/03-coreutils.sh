#!/bin/bash
# SPDX-License-Identifier: MIT
# coreutils and friends: sort -S, sha256sum, tar + gzip round trip, find, stat, cut, seq.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
set -e
seq 1 20000 | sort -S 1M -rn | head -3
echo abc | sha256sum
printf 'hello\n' | md5sum
mkdir -p /tmp/t/d/e
seq 1 1000 > /tmp/t/d/n.txt
echo deep > /tmp/t/d/e/f.txt
tar -C /tmp/t -czf /tmp/a.tgz d
mkdir /tmp/x && tar -C /tmp/x -xzf /tmp/a.tgz
cmp /tmp/t/d/n.txt /tmp/x/d/n.txt && echo "tar+gzip round trip ok"
find /tmp/x -type f | sort
stat -c '%F %s %a' /tmp/x/d/n.txt
stat -c '%F %a' /tmp/x/d/e
cut -d: -f1,7 /etc/passwd | head -2
wc -l < /tmp/t/d/n.txt
du -s /tmp/t/d >/dev/null && echo "du ok"
ln -s /tmp/t/d/n.txt /tmp/link && readlink -f /tmp/link
cp -a /tmp/t /tmp/t2 && diff -r /tmp/t /tmp/t2 && echo "cp -a identical"
rm -rf /tmp/t /tmp/t2 /tmp/x /tmp/a.tgz /tmp/link && test ! -e /tmp/t && echo "cleaned up"
