#!/bin/sh
# SPDX-License-Identifier: MIT
# --strace transcript test: run the probe under cvisor with a syscall filter
# (so the C library's start-up calls stay out), mask addresses, and compare
# with probe.expected.
# usage: run.sh CVISOR WORKDIR PROBE
set -u
cvisor=$1 work=$2 probe=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$work/strace-root
"$here/../rootfs/make-busybox-root.sh" "$root" "$probe" >/dev/null || exit 77
filter=openat,read,write,close,lseek,newfstatat,pipe2,clock_nanosleep,rt_sigaction,kill,getpid,unlink,exit_group
timeout -k 5 60 "$cvisor" --strace-syscalls=$filter do --root "$root" -- /tests/"$(basename "$probe")" \
	2>"$work/strace.raw" >"$work/strace.stdout"
status=$?
sed -E 's/0x[0-9a-f]+/0xADDR/g' "$work/strace.raw" > "$work/strace.out"
fail=0
if [ "$status" -ne 3 ]; then echo "FAIL probe exit status $status, expected 3"; fail=1; fi
if ! diff -u "$here/probe.expected" "$work/strace.out"; then echo "FAIL transcript differs"; fail=1; fi
if [ "$(cat "$work/strace.stdout")" != done ]; then echo "FAIL probe stdout"; fail=1; fi
[ "$fail" -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit "$fail"
