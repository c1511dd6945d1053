#!/bin/bash
# SPDX-License-Identifier: MIT
# Where the root's files come from, measured: natively, under cvisor over
# 9P2000.L served by diod
# (unix socket), and over `cvisor gofer` (the default). Two figures of issue 18, medians of REPS runs:
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
	9p) "${pin[@]}" timeout 300 "$cvisor" do --root "$work/root" --9p-socket "$work/9p.sock" -- \
		/tests/micro "$2" "$3" "$4" ;;
	gofer) "${pin[@]}" timeout 300 "$cvisor" do --root "$work/root" -- /tests/micro "$2" "$3" "$4" ;;
	esac
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cat "$work/root/data/big" >/dev/null	# native: the page cache holds it
modes="native 9p gofer"
printf '# medians of %s runs%s; %s MiB file; cvisor %s; x: times slower than native\n' "$reps" \
	"${PIN:+, pinned to CPUs $PIN}" "$size" "$cvisor"
printf '%-18s' benchmark
for m in $modes; do printf '%16s' "$m"; done
for m in $modes; do [ $m = native ] || printf '%9s' "$m"; done
echo
for bench in "open_read4k_close 20000 /bin/busybox" "first_read 1 /data/big"; do
	set -- $bench
	if [ "$1" = first_read ]; then unit=MB/s; else unit=ns; fi
	printf '%-18s' "$1"
	vals=
	for mode in $modes; do
		v=$(for _ in $(seq "$reps"); do run "$mode" "$1" "$2" "$3" | awk '{print $1}'; done | median)
		vals="$vals $v"
		printf '%11.1f %-4s' "$v" "$unit"
	done
	echo "$vals" | awk -v u="$unit" '{ for (k = 2; k <= NF; k++) printf "%8.1fx", (u == "ns") ? $k / $1 : $1 / $k; print "" }'
done
