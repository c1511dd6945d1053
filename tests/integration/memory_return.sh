#!/bin/bash
# SPDX-License-Identifier: MIT
# Guest memory goes back when the guest unmaps it: inside the sandbox
# (MemFree of /proc/meminfo) and on the host (the blocks the memory file
# holds, seen through the sandbox's processes that have it open).
# usage: memory_return.sh CVISOR WORKDIR MM_REUSE_EXE [PLATFORM]
set -u
cvisor=$1 work=$2 exe=$3 platform=${4:-systrap}
here=$(cd "$(dirname "$0")/.." && pwd)
root=$work/memory-return-root-$platform
dir=$work/memory-return-$platform
pass=0 fail=0
check() {	# name command...
	name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "ok $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}
"$here/rootfs/make-busybox-root.sh" "$root" >/dev/null || exit 77
mkdir -p "$root/tests"
cp "$exe" "$root/tests/mm_reuse"
rm -rf "$dir" && mkdir -p "$dir"
mkfifo "$dir/in"

. "$(dirname "$0")/sandbox_memory.sh"

# Waits (up to 120 s, for a loaded machine) until the guest printed @1.
wait_for() {
	for _ in $(seq 1200); do
		grep -q "^$1 " "$dir/out" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

exec 3<>"$dir/in"	# held open: the guest sees no EOF until we are done
timeout -k 5 300 "$cvisor" --platform="$platform" do --root "$root" -- /tests/mm_reuse --child hold \
	<"$dir/in" >"$dir/out" 2>"$dir/err" &
pid=$!
wait_for touched && touched_kb=$(memfile_kb "$pid") || touched_kb=0
printf x >&3
wait_for unmapped && unmapped_kb=$(memfile_kb "$pid") || unmapped_kb=-1
printf x >&3
wait "$pid"
check guest-exit test $? -eq 0
exec 3>&-

start=$(awk '$1 == "start" { print $2 }' "$dir/out")
touched=$(awk '$1 == "touched" { print $2 }' "$dir/out")
unmapped=$(awk '$1 == "unmapped" { print $2 }' "$dir/out")
echo "sandbox MemFree kB: start=$start touched=$touched unmapped=$unmapped;" \
	"host memory file kB: touched=$touched_kb unmapped=$unmapped_kb"
# 256 MiB is 262144 kB.
check meminfo-drops test "${touched:-0}" -gt 0 -a $(( ${start:-0} - ${touched:-0} )) -ge 250000
check meminfo-returns test $(( ${start:-0} - ${unmapped:-0} )) -le 8192
check host-holds test "${touched_kb:--1}" -ge 250000
check host-returns test "$unmapped_kb" -ge 0 -a $(( touched_kb - unmapped_kb )) -ge 250000

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
