#!/bin/sh
# SPDX-License-Identifier: MIT
# Lifetime of a sandbox's processes (docs/lifetime.md): whatever ends a
# `cvisor do` (the command exiting, SIGTERM, SIGKILL mid-start, the grace
# period running out, a Sentry crash), no process of it is left on the host,
# and a long-lived Sentry does not leak host fds over 1,000 guest children.
#
# Processes are found by their executable: a private copy of cvisor whose
# path no other test uses, so sandboxes of tests running in parallel are never
# counted. Every wait is bounded; nothing asserts on time.
# usage: leak.sh CVISOR WORKDIR [ITERATIONS]
set -u
src=$1 work=$2/leak n=${3:-1000}
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work"
mkdir -p "$work"
root=$work/root
"$here/rootfs/make-busybox-root.sh" "$root" >/dev/null || exit 77
cv=$work/cvisor-leak-$$
cp "$src" "$cv" || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() {	# name command...
	name=$1; shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

# The pids of live processes running our copy of cvisor (supervisors, Sentries, stubs).
ours() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$cv" ] && echo "${p#/proc/}"
	done
}
count() { ours | wc -l; }
# Dying processes take a moment to go: wait (bounded) until none is left.
none_left() {
	k=0
	while [ "$(count)" -ne 0 ]; do
		k=$((k + 1))
		if [ $k -gt 300 ]; then
			echo "left behind:"; for p in $(ours); do ps -o pid,ppid,pgid,stat,args -p "$p" | tail -1; done
			return 1
		fi
		sleep 0.1
	done
}
# wait_for FILE TEXT: until FILE contains TEXT (bounded)
wait_for() {
	k=0
	until grep -q "$2" "$1" 2>/dev/null; do
		k=$((k + 1))
		[ $k -gt 600 ] && { echo "timed out waiting for '$2' in $1:"; cat "$1"; return 1; }
		sleep 0.05
	done
}
# bg_do OUT [ENV=V...] -- cvisor args: start a sandbox in the background; $bgpid is its supervisor
bg_do() {
	out=$1; shift
	env "$@" >"$out" 2>&1 &
	bgpid=$!
}

for plat in systrap ptrace; do
	# SIGKILL of `cvisor do` with guest processes running: the old build leaves its stubs here.
	bg_do "$work/kill.out" "$cv" --platform=$plat do --root "$root" -- /bin/sh -c 'sleep 100 & echo ready; sleep 100'
	wait_for "$work/kill.out" ready
	check "$plat-processes-found" test "$(count)" -ge 4	# supervisor, Sentry, 2 stubs: the scan works
	kill -KILL $bgpid
	wait $bgpid 2>/dev/null
	check "$plat-sigkill-no-stub-left" none_left

	# SIGTERM goes to the guest's init, whose handler decides the status.
	bg_do "$work/term.out" "$cv" --platform=$plat do --root "$root" -- /bin/sh -c \
		'trap "echo trapped TERM; exit 3" TERM; echo ready; while :; do sleep 1 & wait $!; done'
	wait_for "$work/term.out" ready
	kill -TERM $bgpid
	wait $bgpid 2>/dev/null
	st=$?
	check "$plat-sigterm-forwarded-status-3" test $st -eq 3
	check "$plat-sigterm-guest-handler-ran" grep -q "trapped TERM" "$work/term.out"
	check "$plat-sigterm-no-stub-left" none_left

	# A guest that ignores SIGTERM is killed when the grace period ends: 137.
	bg_do "$work/grace.out" "$cv" --platform=$plat do --grace 1 --root "$root" -- /bin/sh -c \
		'trap "" TERM; echo ready; while :; do sleep 1; done'
	wait_for "$work/grace.out" ready
	kill -TERM $bgpid
	wait $bgpid 2>/dev/null
	st=$?
	check "$plat-grace-expired-status-137" test $st -eq 137
	check "$plat-grace-expired-logged" grep -q "did not exit within 1 s of Terminated; killing it" "$work/grace.out"
	check "$plat-grace-no-stub-left" none_left

	# The Sentry crashes with guest processes running: a log line, status 125, no stub left.
	bg_do "$work/crash.out" CVISOR_TEST_CRASH=segv-on-hup "$cv" --platform=$plat do --root "$root" -- \
		/bin/sh -c 'sleep 100 & echo ready; sleep 100'
	wait_for "$work/crash.out" ready
	kill -HUP $bgpid
	wait $bgpid 2>/dev/null
	st=$?
	check "$plat-crash-status-125" test $st -eq 125
	check "$plat-crash-panic-logged" grep -q "panic: Segmentation fault at address (nil)" "$work/crash.out"
	check "$plat-crash-reported" grep -q "the Sentry died of signal 11" "$work/crash.out"
	check "$plat-crash-no-stub-left" none_left
done

# Without a pid namespace (the unprivileged path, forced): the supervisor, a subreaper,
# kills the stubs of a crashed Sentry; SIGTERM is forwarded the same way.
bg_do "$work/nons.out" CVISOR_NO_PIDNS=1 CVISOR_TEST_CRASH=segv-on-hup "$cv" do --root "$root" -- \
	/bin/sh -c 'sleep 100 & echo ready; sleep 100'
wait_for "$work/nons.out" ready
kill -HUP $bgpid
wait $bgpid 2>/dev/null
st=$?
check "no-pidns-crash-status-125" test $st -eq 125
check "no-pidns-crash-no-stub-left" none_left
bg_do "$work/nons.out" CVISOR_NO_PIDNS=1 "$cv" do --root "$root" -- /bin/sh -c \
	'trap "echo trapped TERM; exit 3" TERM; echo ready; while :; do sleep 1 & wait $!; done'
wait_for "$work/nons.out" ready
kill -TERM $bgpid
wait $bgpid 2>/dev/null
st=$?
check "no-pidns-sigterm-forwarded-status-3" test $st -eq 3
check "no-pidns-sigterm-no-stub-left" none_left

# Host fds of a long-lived Sentry: the same before and after 1,000 children (900 run to
# their end, 100 killed) were created, exec'd and reaped inside it.
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
for plat in systrap ptrace; do
	rm -f "$work/in" "$work/fd.out"
	mkfifo "$work/in"
	"$cv" --platform=$plat do --root "$root" -- /bin/sh -c 'echo begin; read x
		i=0; while [ $i -lt 900 ]; do /bin/true; i=$((i + 1)); done
		i=0; while [ $i -lt 100 ]; do sleep 100 & kill -9 $!; wait $! 2>/dev/null; i=$((i + 1)); done
		echo end; read x' <"$work/in" >"$work/fd.out" 2>&1 &
	bgpid=$!
	exec 3>"$work/in"
	wait_for "$work/fd.out" begin
	# cvisor do's children: the Sentry and its gofer
	sentry=
	for c in $(cat "/proc/$bgpid/task/$bgpid/children"); do
		tr '\0' ' ' <"/proc/$c/cmdline" | grep -q '^[^ ]* gofer ' || sentry=$c
	done
	before=$(fd_count "$sentry")
	echo go >&3
	wait_for "$work/fd.out" end
	after=$(fd_count "$sentry")
	echo bye >&3
	exec 3>&-
	wait $bgpid 2>/dev/null
	st=$?
	echo "$plat: Sentry $sentry host fds: $before before, $after after 1000 children"
	check "$plat-fd-children-ran" test $st -eq 0
	check "$plat-fd-no-leak" test "$before" -gt 0 -a "$after" -le "$before"
	check "$plat-fd-no-stub-left" none_left
done

# The loop: N sandboxes, ended every way there is, on both platforms.
unexpected=0
i=0
while [ $i -lt "$n" ]; do
	plat=systrap
	[ $((i % 2)) -eq 1 ] && plat=ptrace
	delay=0.00$((i % 10))
	case $((i % 10)) in
	0 | 1 | 2)	# runs to completion
		"$cv" --platform=$plat do --root "$root" -- /bin/true >/dev/null 2>&1
		st=$? want=0 ;;
	3 | 4 | 5)	# SIGKILL at some point of start-up or run
		"$cv" --platform=$plat do --root "$root" -- /bin/sh -c 'sleep 100 & sleep 100' >/dev/null 2>&1 &
		pid=$!
		sleep $delay
		kill -KILL $pid
		wait $pid 2>/dev/null
		st=$? want=137 ;;
	6 | 7)	# SIGTERM: the guest init (sleep) dies of it, 143; before the supervisor runs, so does it
		"$cv" --platform=$plat do --grace 5 --root "$root" -- /bin/sleep 100 >/dev/null 2>&1 &
		pid=$!
		sleep $delay
		kill -TERM $pid
		wait $pid 2>/dev/null
		st=$? want=143 ;;
	8)	# the Sentry crashes at start
		CVISOR_TEST_CRASH=segv "$cv" --platform=$plat do --root "$root" -- /bin/true >/dev/null 2>&1
		st=$? want=125 ;;
	9)	# the Sentry crashes on a SIGHUP during start-up or run (129: SIGHUP came before the supervisor ran)
		CVISOR_TEST_CRASH=segv-on-hup "$cv" --platform=$plat do --root "$root" -- /bin/sh -c 'sleep 100 & sleep 100' \
			>/dev/null 2>&1 &
		pid=$!
		sleep $delay
		kill -HUP $pid
		wait $pid 2>/dev/null
		st=$? want=125
		[ $st -eq 129 ] && want=129 ;;
	esac
	if [ $st -ne $want ]; then
		unexpected=$((unexpected + 1))
		[ $unexpected -le 10 ] && echo "iteration $i ($plat, case $((i % 10))): status $st, want $want"
	fi
	i=$((i + 1))
done
check "loop-$n-statuses" test $unexpected -eq 0
check "loop-$n-no-process-left" none_left

rm -f "$cv"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
