#!/bin/bash
# SPDX-License-Identifier: MIT
# A guest blocked writing to a full stdout pipe stalls only itself: another
# guest process finishes its work (and reports on stderr) while nobody has
# read stdout yet, and a signal still kills the blocked writer. The test
# reads stderr first and drains stdout only afterwards, so no timing is
# asserted: on a Sentry that blocks with its lock held, stderr stays silent
# and the read times out.
# usage: slow_stdout.sh CVISOR WORKDIR
set -u
cvisor=$1 work=$2
here=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
check() {	# name expected actual
	if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok $1"
	else fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
root=$work/slow-stdout-root
"$here/rootfs/make-busybox-root.sh" "$root" >/dev/null || exit 77
dir=$(mktemp -d "$work/slow-stdout.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# wait_done FD: the first line "done ..." read from FD (60 s at most), or "timeout".
wait_done() {
	local line
	while IFS= read -r -t 60 -u "$1" line; do
		case $line in done*) echo "$line"; return ;; esac
	done
	echo timeout
}

# run_case fifo|pipe NAME SCRIPT: run SCRIPT in the sandbox with stdout on a
# FIFO or an anonymous pipe (the host treats them differently) and stderr on
# a FIFO; wait for "done ..." on stderr before reading stdout. Prints that
# line, the stdout byte count and the exit status, one a line.
run_case() {
	local out=$dir/$2.out err=$dir/$2.err n status pid
	mkfifo "$err"
	if [ "$1" = fifo ]; then
		mkfifo "$out"
		timeout -k 5 120 "$cvisor" do --root "$root" -- /bin/busybox sh -c "$3" >"$out" 2>"$err" &
		pid=$!
		exec 4<"$out" 3<"$err"
		wait_done 3
		n=$(wc -c <&4)
		exec 3<&- 4<&-
		wait "$pid"
		status=$?
		printf '%s\n%s\n' "$n" "$status"
	else
		timeout -k 5 120 "$cvisor" do --root "$root" -- /bin/busybox sh -c "$3" 2>"$err" |
			{ exec 3<"$err"; wait_done 3; wc -c; exec 3<&-; }
		echo "${PIPESTATUS[0]}"
	fi
}

# The pipe holds a few bytes already, so the 200000-byte write fills it part
# way and has to wait in the middle of a host write.
for kind in fifo pipe; do
	res=$(run_case $kind other-runs-$kind 'echo start; busybox dd if=/dev/zero bs=200000 count=1 2>/dev/null & w=$!
		busybox sleep 1
		echo "done while writer runs: $(busybox cat /proc/$w/stat >/dev/null 2>&1 && echo yes)" >&2
		wait $w')
	check other-process-runs-$kind "done while writer runs: yes" "$(echo "$res" | sed -n 1p)"
	check all-bytes-arrive-$kind "200006 0" "$(echo "$res" | sed -n '2p;3p' | tr '\n' ' ' | sed 's/ $//')"

	res=$(run_case $kind kill-writer-$kind 'echo start; busybox dd if=/dev/zero bs=200000 count=1 2>/dev/null & w=$!
		busybox sleep 1; kill $w; wait $w; echo "done status $?" >&2')
	check signal-ends-blocked-write-$kind "done status 143" "$(echo "$res" | sed -n 1p)"
	check killed-run-exits-$kind 0 "$(echo "$res" | sed -n 3p)"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
