#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks the minimal /proc the sandbox provides: self, meminfo, cpuinfo, mounts.
PATH=/bin:/usr/bin
export PATH
umask 022

test -e /proc/self && echo "/proc/self exists"
test -d /proc/self/ && echo "/proc/self is a directory"
# /proc/self names the reader's own pid, so it is a number, and differs per process.
readlink /proc/self | grep -Eqx '[1-9][0-9]*' && echo "/proc/self links to a pid"
a=$(readlink /proc/self)
b=$(readlink /proc/self)
[ "$a" != "$b" ] && echo "each reader sees its own pid"
# Busybox ash runs most applets by exec'ing /proc/self/exe.
test -e /proc/self/exe && echo "/proc/self/exe exists"

grep -c '^MemTotal:' /proc/meminfo
awk '/^MemTotal:/ { print ($2 > 0 ? "MemTotal is positive" : "MemTotal is zero"), $3 }' /proc/meminfo
grep -q '^MemFree:' /proc/meminfo && echo "MemFree present"
grep -q '^processor' /proc/cpuinfo && echo "cpuinfo lists processors"
awk -F': *' '$1 ~ /^processor/ { n++ } END { print (n >= 1 ? "at least one processor" : "no processor") }' /proc/cpuinfo

# The root and /proc are mount points in every container.
awk '$2 == "/" || $2 == "/proc" { print $2 }' /proc/mounts | sort -u
awk '$2 == "/proc" { print $3 }' /proc/mounts
# Natively /proc also lists the host's processes, which may exit while ls
# stats them: keep only the four entries the sandbox promises.
ls /proc 2>/dev/null | grep -Ex 'self|meminfo|cpuinfo|mounts' | sort
cat /proc/meminfo /proc/cpuinfo /proc/mounts >/dev/null && echo "all readable"
