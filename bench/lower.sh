#!/bin/bash
# SPDX-License-Identifier: MIT
# Where the root's files come from, measured: natively, under cvisor over the
# host-directory lower layer, and under cvisor over 9P2000.L served by diod
# (unix socket). Two figures of issue 18, medians of REPS runs:
#   open_read4k_close  open + read 4 KiB + close of a cached image file (ns)
#   first_read         first read of a SIZE_MIB file of the image (MB/s;
#                      natively from the host page cache, warmed first)
# Not run in CI (speed is never judged there).
# usage: bench/lower.sh [BUILD_DIR] [REPS] [SIZE_MIB]   (env PIN=CPUS: taskset)
set -eu
build=${1:-build} reps=${2:-5} size=${3:-64}
here=$(cd "$(dirname "$0")" && pwd)
cvisor=$(cd "$build" && pwd)/cvisor
pin=()
[ -n "${PIN:-}" ] && pin=(taskset -c "$PIN")
PATH=$PATH:/usr/sbin
command -v diod >/dev/null || { echo "lower.sh: needs diod" >&2; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/cvisor-bench-lower.XXXXXX")
diod_pid=
trap '[ -n "$diod_pid" ] && kill "$diod_pid"; rm -rf "$work"' EXIT
cc -O2 -static -pthread -o "$work/micro" "$here/micro.c"
"$here/../tests/rootfs/make-busybox-root.sh" "$work/root" "$work/micro" >/dev/null
head -c $((size << 20)) /dev/urandom >"$work/root/data/big"
diod -f -n -N -c /dev/null -L stderr -l "$work/9p.sock" -e "$work/root" 2>"$work/diod.log" &
diod_pid=$!
for _ in $(seq 100); do [ -S "$work/9p.sock" ] && break; sleep 0.1; done

# run MODE NAME ITERATIONS PATH-IN-ROOT: one measurement
run() {
	case $1 in
	native) "${pin[@]}" "$work/micro" "$2" "$3" "$work/root$4" ;;
	host) "${pin[@]}" timeout 300 "$cvisor" do --root "$work/root" -- /tests/micro "$2" "$3" "$4" ;;
	9p) "${pin[@]}" timeout 300 "$cvisor" do --root "$work/root" --9p-socket "$work/9p.sock" -- \
		/tests/micro "$2" "$3" "$4" ;;
	esac
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cat "$work/root/data/big" >/dev/null	# native: the page cache holds it
printf '# medians of %s runs%s; %s MiB file; cvisor %s\n' "$reps" "${PIN:+, pinned to CPUs $PIN}" "$size" "$cvisor"
printf '%-20s %14s %14s %14s %10s %10s\n' benchmark native cvisor-host cvisor-9p host/nat 9p/nat
for bench in "open_read4k_close 20000 /bin/busybox" "first_read 1 /data/big"; do
	set -- $bench
	declare -A med=()
	for mode in native host 9p; do
		med[$mode]=$(for _ in $(seq "$reps"); do run "$mode" "$1" "$2" "$3" | awk '{print $1}'; done | median)
	done
	if [ "$1" = first_read ]; then unit=MB/s; else unit=ns; fi
	awk -v b="$1" -v n="${med[native]}" -v h="${med[host]}" -v p="${med[9p]}" -v u="$unit" 'BEGIN {
		if (u == "ns") { rh = h / n; rp = p / n } else { rh = n / h; rp = n / p }
		printf "%-20s %9.1f %-4s %9.1f %-4s %9.1f %-4s %9.1fx %9.1fx\n", b, n, u, h, u, p, u, rh, rp }'
	unset med
done
