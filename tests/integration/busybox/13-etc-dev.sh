#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks reading the root's /etc files and the sandbox's /dev nodes (null, zero, full, random, urandom, tty).
PATH=/bin:/usr/bin
export PATH
umask 022
d=/tmp/dev
rm -rf $d
mkdir -p $d

echo "-- /etc"
cat /etc/passwd | wc -l
cut -d: -f1 /etc/passwd
awk -F: '$3 == 0 { print $1 " has uid 0 and shell " $7 }' /etc/passwd
wc -l </etc/group
cat /etc/hostname
grep -c . /etc/motd
test -e /etc/nsswitch.conf || echo "no nsswitch.conf"

echo "-- /dev/null"
echo discarded >/dev/null
cat /dev/null | wc -c
wc -c </dev/null
cp /dev/null $d/empty
stat -c '%s %F' $d/empty
echo "read from /dev/null: [$(cat /dev/null)]"

echo "-- /dev/zero"
head -c 16 /dev/zero | od -An -tx1
dd if=/dev/zero of=$d/zeros bs=1024 count=4 2>/dev/null
wc -c <$d/zeros
tr -d '\0' <$d/zeros | wc -c
dd if=/dev/zero bs=4096 count=256 2>/dev/null | wc -c

echo "-- /dev/urandom and /dev/random"
head -c 32 /dev/urandom | wc -c
head -c 8 /dev/random | wc -c
dd if=/dev/urandom bs=100000 count=1 2>/dev/null | wc -c
a=$(head -c 16 /dev/urandom | od -An -tx1)
b=$(head -c 16 /dev/urandom | od -An -tx1)
[ "$a" != "$b" ] && echo "two reads differ"
head -c 4096 /dev/urandom | tr -d '\0' | wc -c | awk '{ print ($1 > 3900) ? "not all zero" : "suspicious" }'

echo "-- /dev/full"
echo x >/dev/full 2>$d/err
echo "write to /dev/full: status $?"
cat $d/err | sed 's/^[^:]*: //'
head -c 8 /dev/full | od -An -tx1

echo "-- device nodes"
for n in null zero full random urandom tty; do
	stat -c '%n %F %a' /dev/$n
done
stat -c '%n %t:%T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty
ls -l /dev/null | awk '{ print $1, $5, $6 }'
