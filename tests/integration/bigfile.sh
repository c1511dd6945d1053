#!/bin/bash
# SPDX-License-Identifier: MIT
# A 2 GiB file of the root is read whole inside the sandbox (md5sum) with
# the right result, while the sandbox's memory file grows by far less than
# the file (measured on the host, through the memory file's blocks): reads
# of lower files are not copied into sandbox memory.
# usage: bigfile.sh CVISOR WORKDIR [PLATFORM]
set -u
cvisor=$1 work=$2 platform=${3:-systrap}
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
[ $fail -gt 0 ] && cat "$dir/err"
rm -f "$big"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
