#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the random-syscall fuzzer (tests/fuzz/fuzz.c) inside cvisor sandboxes,
# one sandbox per seed, and judge the Sentry, not the calls:
#  - cvisor must exit with the driver's own status 0 (a Sentry crash shows as
#    a signal or cvisor's crash status, a hang as the timeout);
#  - the driver's summary line must be there (it reports hangs of workers);
#  - no process of the sandbox's session (the Sentry's stubs) may outlive it.
# On failure it prints the seed, the driver's last lines and the Sentry's
# errors, and how to replay. Never runs the fuzzer natively.
#
# usage: run.sh CVISOR FUZZ_EXE ROOT [--platform NAME] [--seeds "1 2 3"]
#               [--count N] [--timeout SECONDS] [--batch-calls K]
set -eu
cvisor=$1 exe=$2 root=$3
shift 3
platform=systrap seeds="1 2 3" count=20000 timeout=150 batch=1000
while [ $# -gt 0 ]; do
	case $1 in
	--platform) platform=$2; shift 2 ;;
	--seeds) seeds=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--batch-calls) batch=$2; shift 2 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
case $platform in
*-nopatch) flags="--platform=${platform%-nopatch} --syscall-patching=false" ;;
*) flags="--platform=$platform" ;;
esac

# A busybox root of its own, so the fuzzer's binary and scratch never meet the
# syscall tests' root; writes stay in the Sentry's tmpfs upper layer anyway.
(
	flock 9
	if [ ! -e "$root/.cvisor-busybox-root" ]; then
		"$here/rootfs/make-busybox-root.sh" "$root" >/dev/null
	fi
	mkdir -p "$root/tests"
	if ! cmp -s "$exe" "$root/tests/fuzz"; then
		cp "$exe" "$root/tests/.fuzz.tmp"
		mv "$root/tests/.fuzz.tmp" "$root/tests/fuzz"
	fi
) 9>"$root.lock"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0 total_calls=0 nseeds=0
start=$(date +%s)

session_procs() {
	ps -e -o sid=,pid=,args= | awk -v s="$1" '$1 == s { $1 = ""; print }'
}

for seed in $seeds; do
	log=$work/seed-$seed.log
	t0=$(date +%s)
	rc=0
	# The shell becomes a session leader and execs cvisor: its pid is the session id.
	timeout -k 5 "$timeout" setsid -w sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$work/sid" \
		"$cvisor" $flags do --root "$root" --env CVISOR_FUZZ_IN_SANDBOX=1 -- \
		/tests/fuzz --seed "$seed" --count "$count" --batch-calls "$batch" \
		</dev/null >"$log" 2>&1 || rc=$?
	sid=$(cat "$work/sid" 2>/dev/null || echo none)
	# Judge the log's end only: a runaway log must not make grep eat the host's memory.
	tail -c 8M "$log" >"$log.tail" && mv "$log.tail" "$log"
	why=""
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="hang: the sandbox did not finish within ${timeout}s"
	elif [ "$rc" -ne 0 ]; then
		if grep -aq 'panic:\|seccomp violation\|fatal error\|BUG\|assert' "$log"; then
			why="Sentry crash (cvisor exit status $rc)"
		elif [ "$rc" -gt 128 ]; then
			why="cvisor killed by signal $((rc - 128))"
		else
			why="exit status $rc"
		fi
	elif ! grep -aq "fuzz: seed $seed: ok" "$log"; then
		why="no summary line from the driver"
	fi
	# Stubs are host processes of the sandbox's session: none may be left.
	left=""
	if [ "$sid" != none ]; then
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			left=$(session_procs "$sid")
			[ -z "$left" ] && break
			sleep 0.5
		done
	fi
	if [ -n "$left" ]; then
		why="${why:+$why; }host processes left behind: $(echo "$left" | tr '\n' ';')"
		kill -KILL -"$sid" 2>/dev/null || true
	fi
	calls=$(grep -ao "fuzz: seed $seed: ok; [0-9]*" "$log" | awk '{print $NF}' | tail -1)
	calls=${calls:-0}
	total_calls=$((total_calls + calls))
	nseeds=$((nseeds + 1))
	if [ -n "$why" ]; then
		failed=1
		echo "FAIL $platform seed $seed: $why ($(( $(date +%s) - t0 ))s)"
		echo "--- driver's last lines:"
		grep -ao 'fuzz: .*' "$log" | tail -60
		echo "--- Sentry errors:"
		grep -a 'panic\|error\|warning\|seccomp\|backtrace\|#[0-9]' "$log" | grep -av '^fuzz' | tail -40 || true
		echo "--- replay: $cvisor $flags do --root $root --env CVISOR_FUZZ_IN_SANDBOX=1 --" \
			"/tests/fuzz --seed $seed --count $count --batch-calls $batch [--batch B -v]"
		echo "    (B: the last 'fuzz: batch B' line above)"
	else
		echo "ok $platform seed $seed: $(grep -ao "fuzz: seed $seed: ok.*" "$log" | sed 's/^fuzz: //')"
	fi
done
echo "fuzz on $platform: $nseeds seeds, $total_calls calls, $(( $(date +%s) - start ))s," \
	"$([ $failed = 0 ] && echo 'no Sentry failure' || echo FAILED)"
exit $failed
