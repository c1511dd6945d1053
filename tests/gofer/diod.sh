#!/bin/sh
# SPDX-License-Identifier: MIT
# diod's own clients (diodls, diodcat, diodload: code we did not write)
# against `cvisor gofer`, over a unix socket and loopback TCP.
# usage: diod.sh CVISOR WORKDIR
set -u
cvisor=$1 work=$2/gofer-diod
pass=0 fail=0
check() {	# name expected actual
	if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok $1"
	else fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
for t in diodls diodcat diodload; do
	if ! command -v $t >/dev/null 2>&1 && ! [ -x /usr/sbin/$t ]; then
		echo "$t missing (Debian package diod; make deps installs it)"
		[ -n "${CI:-}" ] && exit 1
		exit 77
	fi
done
PATH=$PATH:/usr/sbin
rm -rf "$work" && mkdir -p "$work/root/sub/deeper" "$work/ctl" || exit 1
root=$work/root
echo hello > "$root/hello.txt"
printf 'one\ntwo\n' > "$root/sub/two.txt"
echo deep > "$root/sub/deeper/f"
ln -s /etc/passwd "$root/link-out"
# A file larger than msize (64 KiB by default) and than an 8 KiB msize: many reads.
head -c 300000 /dev/urandom > "$root/big"
# diodload reads ctl:zero and writes ctl:null (diod's synthetic names): plain files here.
head -c 1048576 /dev/zero > "$work/ctl/zero"
: > "$work/ctl/null"

pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
# Wait for the "listening" line the gofer prints once it accepts (no sleeps).
start() {	# outfile args...
	out=$1; shift
	"$cvisor" gofer --root "$root" --volume "$work/ctl:/ctl" "$@" > "$out" 2> "$out.err" &
	pids="$pids $!"
	for i in $(seq 1 600); do
		grep -q '^listening' "$out" 2>/dev/null && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.1
	done
	echo "the gofer did not start: $(cat "$out.err")"; exit 1
}
sock=$work/sock
start "$work/unix.out" --listen "$sock"
start "$work/tcp.out" --listen-tcp 127.0.0.1:0
tcp=$(sed -n 's/^listening //p' "$work/tcp.out")

T="timeout -k 5 60"
check diodls-root "$(printf 'big\nhello.txt\nlink-out\nsub\n')" "$($T diodls -s "$sock" -a / / | sort)"
check diodls-sub "$(printf 'deeper\ntwo.txt\n')" "$($T diodls -s "$sock" -a / /sub | sort)"
check diodls-tcp "$(printf 'big\nhello.txt\nlink-out\nsub\n')" "$($T diodls -s "$tcp" -a / / | sort)"
long=$($T diodls -l -s "$sock" -a / /sub)
check diodls-long-size "8" "$(echo "$long" | awk '$NF == "two.txt" {print $5}')"
check diodls-long-dir "d" "$(echo "$long" | awk '$NF == "deeper" {print substr($1, 1, 1)}')"
check diodls-volume "$(printf 'null\nzero\n')" "$($T diodls -s "$sock" -a /ctl / | sort)"
check diodcat-small "hello" "$($T diodcat -s "$sock" -a / hello.txt)"
check diodcat-nested "deep" "$($T diodcat -s "$sock" -a / sub/deeper/f)"
check diodcat-two "$(printf 'hello\none\ntwo')" "$($T diodcat -s "$sock" -a / hello.txt sub/two.txt)"
want=$(sha256sum < "$root/big")
check diodcat-big "$want" "$($T diodcat -s "$sock" -a / big | sha256sum)"
check diodcat-big-8k "$want" "$($T diodcat -m 8192 -s "$sock" -a / big | sha256sum)"
check diodcat-big-tcp "$want" "$($T diodcat -s "$tcp" -a / big | sha256sum)"
# A symlink is not followed by the gofer: cat fails, /etc/passwd never shows.
out=$($T diodcat -s "$sock" -a / link-out 2>&1); rc=$?
check diodcat-symlink-refused "1 0" "$([ $rc -ne 0 ] && echo 1 || echo 0) $(echo "$out" | grep -c root:)"
$T diodcat -s "$sock" -a / nosuch >/dev/null 2>&1; check diodcat-missing-fails 1 $([ $? -ne 0 ] && echo 1 || echo 0)

# diodload: 4 threads, 2 s each copying ctl:zero to ctl:null, then getattrs; both must report work.
load=$($T diodload -s "$sock" -n 4 -r 2 2>&1); rc=$?
echo "$load"
check diodload-io-rc 0 $rc
# diodload never zeroes its op counter (ops/s can be garbage): judge the I/O by MB/s.
check diodload-io-read 1 "$(echo "$load" | awk '/rMB\/s/ {print ($4 > 0) ? 1 : 0}')"
check diodload-null-written 0 "$(stat -c %s "$work/ctl/null" | awk '{print ($1 > 0) ? 0 : 1}')"
load=$($T diodload -g -s "$tcp" -n 4 -r 2 2>&1); rc=$?
echo "$load"
check diodload-getattr-rc 0 $rc
check diodload-getattr-ran 1 "$(echo "$load" | grep -c 'ops/s')"

# Still serving after all of that.
check still-serving "hello" "$($T diodcat -s "$sock" -a / hello.txt)"
for f in "$work/unix.out.err" "$work/tcp.out.err"; do [ -s "$f" ] && { echo "gofer stderr ($f):"; cat "$f"; }; done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
