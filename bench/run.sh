#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 2's two figures, native vs cvisor in one run: getppid round trip
# (ns/op, median of 5) and wall time of `do /bin/true` (median of 10).
# usage: bench/run.sh [BUILD_DIR]    (not part of make check; never judged in CI)
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -static -o "$work/getppid" "$here/getppid.c"
"$here/../tests/rootfs/make-busybox-root.sh" "$work/root" "$work/getppid" >/dev/null
cvisor=$build/cvisor
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

native=$(for i in 1 2 3 4 5; do "$work/getppid" 200000; done | median)
sandbox=$(for i in 1 2 3 4 5; do "$cvisor" do --root "$work/root" -- /tests/getppid 20000; done | median)
t_native=$(for i in $(seq 10); do s=$(date +%s%N); "$work/root/bin/true"; e=$(date +%s%N); echo $(((e - s) / 1000)); done | median)
t_sandbox=$(for i in $(seq 10); do s=$(date +%s%N); "$cvisor" do --root "$work/root" -- /bin/true; e=$(date +%s%N); echo $(((e - s) / 1000)); done | median)
printf '%-28s %12s %12s %8s\n' "benchmark" "native" "cvisor" "ratio"
printf '%-28s %10s ns %10s ns %7sx\n' "getppid round trip" "$native" "$sandbox" "$(awk "BEGIN{printf \"%.0f\", $sandbox/$native}")"
printf '%-28s %10s us %10s us %7sx\n' "start /bin/true (wall)" "$t_native" "$t_sandbox" "$(awk "BEGIN{printf \"%.0f\", $t_sandbox/$t_native}")"
