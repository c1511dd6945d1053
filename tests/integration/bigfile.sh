#!/bin/bash
# SPDX-License-Identifier: MIT
# A 2 GiB file of the root is read whole inside the sandbox (md5sum) with
# the right result, while the sandbox's memory file grows by far less than
# the file (measured on the host, through the memory file's blocks): reads
# of lower files are not copied into sandbox memory. With MMAPSUM, the file
# is then mapped (MAP_SHARED, then MAP_PRIVATE, read-only) and every page
# read through the mapping: the data matches native, and the page cache
# stays within its budget (SHMEM_CLEAN_MAX_PAGES, 128 MiB) by dropping
# clean pages, where keeping every page would grow the memory by 2 GiB.
# usage: bigfile.sh CVISOR WORKDIR [PLATFORM [MMAPSUM]]
set -u
cvisor=$1 work=$2 platform=${3:-systrap} mmapsum=${4:-}
here=$(cd "$(dirname "$0")/.." && pwd)
root=$work/bigfile-root-$platform
dir=$work/bigfile-$platform
pass=0 fail=0
check() {	# name expected got
	if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok $1"; else fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
"$here/rootfs/make-busybox-root.sh" "$root" >/dev/null || exit 77
rm -rf "$dir" && mkdir -p "$dir"
# sparse, with data at the start, in the middle and at the end
big=$root/big.bin
rm -f "$big"
for at in 0 1024 2047; do
	head -c 1048576 /dev/urandom | dd of="$big" bs=1M seek=$at conv=notrunc status=none
done
want=$(md5sum <"$big")
mkfifo "$dir/in"

. "$(dirname "$0")/sandbox_memory.sh"

wait_for() {	# a line the guest prints, up to 240 s
	for _ in $(seq 2400); do
		grep -q "^$1" "$dir/out" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

exec 3<>"$dir/in"
timeout -k 5 300 "$cvisor" --platform="$platform" do --root "$root" -- /bin/sh -c \
	'echo started; read x; md5sum </big.bin; echo read; read x' <"$dir/in" >"$dir/out" 2>"$dir/err" &
pid=$!
wait_for started && before_kb=$(memfile_kb "$pid") || before_kb=-1
echo go >&3
wait_for read && after_kb=$(memfile_kb "$pid") || after_kb=-1
echo go >&3
wait "$pid"
check "guest exits" 0 $?
exec 3>&-
check "md5sum of the 2 GiB file" "$want" "$(sed -n 2p "$dir/out")"
echo "host memory file kB: before=$before_kb after reading 2 GiB=$after_kb"
grown=$(( after_kb - before_kb ))
check "memory measured" yes "$([ "$before_kb" -ge 0 ] && [ "$after_kb" -ge 0 ] && echo yes)"
# 2 GiB is 2097152 kB: allow 64 MiB (buffers, page tables of the guest)
check "memory grew by less than 64 MiB (grew $grown kB)" yes "$([ "$grown" -lt 65536 ] && echo yes)"

if [ -n "$mmapsum" ]; then
	cp "$mmapsum" "$root/mmapsum"
	want_shared=$("$root/mmapsum" "$big" shared)
	want_private=$("$root/mmapsum" "$big" private)
	check "mmapsum natively: both mappings agree" "$want_shared" "$want_private"
	rm -f "$dir/out" "$dir/in" && mkfifo "$dir/in"
	exec 3<>"$dir/in"
	timeout -k 5 300 "$cvisor" --platform="$platform" do --root "$root" -- /bin/sh -c \
		'echo started; read x; /mmapsum /big.bin shared; echo mapped; read x;
		 /mmapsum /big.bin private; echo mapped; read x' <"$dir/in" >"$dir/out" 2>"$dir/err" &
	pid=$!
	wait_for started && before_kb=$(memfile_kb "$pid") || before_kb=-1
	echo go >&3
	wait_for mapped && shared_kb=$(memfile_kb "$pid") || shared_kb=-1
	echo go >&3
	for _ in $(seq 2400); do [ "$(grep -c '^mapped' "$dir/out")" -ge 2 ] && break; sleep 0.1; done
	private_kb=$(memfile_kb "$pid")
	echo go >&3
	wait "$pid"
	check "mmap guest exits" 0 $?
	exec 3>&-
	check "MAP_SHARED: the data of the 2 GiB file" "$want_shared" "$(sed -n 2p "$dir/out")"
	check "MAP_PRIVATE: the data of the 2 GiB file" "$want_private" "$(sed -n 4p "$dir/out")"
	echo "host memory file kB: before=$before_kb after MAP_SHARED=$shared_kb after MAP_PRIVATE=$private_kb"
	check "mmap memory measured" yes "$([ "$before_kb" -ge 0 ] && [ "$shared_kb" -ge 0 ] && [ "$private_kb" -ge 0 ] && echo yes)"
	# the budget is 128 MiB of clean pages; allow as much again for everything else
	for m in shared private; do
		eval "kb=\$${m}_kb"
		check "mapped 2 GiB ($m): memory grew by less than 256 MiB (grew $((kb - before_kb)) kB)" yes \
			"$([ $((kb - before_kb)) -lt 262144 ] && echo yes)"
	done
fi
[ $fail -gt 0 ] && cat "$dir/err"
rm -f "$big"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
