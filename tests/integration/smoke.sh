#!/bin/sh
# SPDX-License-Identifier: MIT
# Smoke test of `cvisor do`: output, exit status propagation, bad input.
# usage: smoke.sh CVISOR WORKDIR
set -u
cvisor=$1 work=$2
here=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
check() {	# name expected actual
	if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok $1"
	else fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
root=$work/smoke-root
"$here/rootfs/make-busybox-root.sh" "$root" >/dev/null || exit 77
printf 'not an elf\n' > "$root/junk" && chmod +x "$root/junk"
# a hard-linked pair in the image, and a third name of it in another directory
mkdir -p "$root/links" && echo "linked data" > "$root/links/a" && ln -f "$root/links/a" "$root/links/b" &&
	ln -f "$root/links/a" "$root/tmp/c"
run() {
	if [ "$1" = --report-unsupported ]; then shift; set -- --report-unsupported --root "$root" -- "$@"
	else set -- --root "$root" -- "$@"; fi
	timeout -k 5 60 "$cvisor" do "$@"
}

check echo "hello sandbox" "$(run /bin/busybox echo hello sandbox 2>&1)"
run /bin/busybox sh -c 'exit 7' >/dev/null 2>&1; check exit-status 7 $?
# The sandbox's init is a pid namespace's init: signals from inside it has no
# handler for are dropped (Linux's SIGNAL_UNKILLABLE), from itself or a child.
check init-survives-own-kill "alive" "$(run /bin/busybox sh -c 'kill -9 $$; kill -TERM $$; echo alive' 2>&1)"
check init-survives-child-kill "alive" \
	"$(run /bin/busybox sh -c '/bin/busybox sh -c "kill -KILL 1; kill -TERM 1; kill -STOP 1; kill -HUP 1"; echo alive' 2>&1)"
run /bin/busybox sh -c 'sh -c "kill -TERM \$\$"; exit $?' >/dev/null 2>&1; check child-term-status 143 $?
# From outside (`cvisor do` forwarding SIGTERM), a default action still ends init: 128+15.
timeout -k 5 60 "$cvisor" do --root "$root" -- /bin/busybox sh -c \
	'sh -c "kill -KILL 1; kill -TERM 1"; echo ready; exec sleep 100' > "$work/smoke-term" 2>&1 &
bg=$!
for _ in $(seq 300); do grep -q ready "$work/smoke-term" && break; sleep 0.1; done
sleep 0.2	# the exec of sleep; a SIGTERM before it hits sh, whose default action is the same
kill -TERM $bg; wait $bg; check term-status-from-outside 143 $?
# Hard links of the image are one file in the sandbox, as on the host: one inode, its link
# count, a write through one name seen through the others, and an unlink counted.
check hardlink-nlink "3 3 3" "$(run /bin/busybox sh -c 'stat -c %h /links/a /links/b /tmp/c | tr "\n" " " | sed "s/ $//"' 2>&1)"
check hardlink-inode same "$(run /bin/busybox sh -c '[ "$(stat -c %i /links/a)" = "$(stat -c %i /links/b)" ] &&
	[ "$(stat -c %i /links/a)" = "$(stat -c %i /tmp/c)" ] && echo same' 2>&1)"
check hardlink-write "more data" "$(run /bin/busybox sh -c 'cat /links/b >/dev/null; echo "more data" > /links/a; cat /links/b /tmp/c | sort -u' 2>&1)"
check hardlink-unlink "2" "$(run /bin/busybox sh -c 'ls /tmp >/dev/null; rm /links/b; stat -c %h /links/a' 2>&1)"
check hardlink-host-unchanged "linked data" "$(cat "$root/links/b")"
check uname "Linux x86_64" "$(run /bin/busybox uname -sm 2>&1)"
check cat-passwd "$(wc -l < "$root/etc/passwd")" "$(run /bin/busybox wc -l /etc/passwd 2>&1 | awk '{print $1}')"
check stdin "abc" "$(echo abc | run /bin/busybox cat 2>&1)"
check path-lookup "hi" "$(run echo hi 2>&1)"
run /bin/busybox sh -c 'echo one; echo two; echo three' > "$work/smoke-out"
check stdout-to-file "one two three" "$(tr '\n' ' ' < "$work/smoke-out" | sed 's/ $//')"
echo zero > "$work/smoke-out"; run /bin/busybox echo four >> "$work/smoke-out"
check stdout-append "zero four" "$(tr '\n' ' ' < "$work/smoke-out" | sed 's/ $//')"
report=$(run --report-unsupported /bin/busybox true 2>&1 >/dev/null)
check report-unsupported "rseq" "$(echo "$report" | awk 'NR > 1 {print $1}' | tr '\n' ' ' | sed 's/ $//')"
run /junk >/dev/null 2>&1; check non-elf-fails 125 $?
run /no/such/binary >/dev/null 2>&1; check missing-binary 125 $?
# A host without FSGSBASE (played): the default platform falls back to ptrace, an explicit systrap fails.
out=$(CVISOR_TEST_NO_FSGSBASE=1 timeout -k 5 60 "$cvisor" do --root "$root" -- /bin/busybox echo fell back 2>"$work/smoke-err")
check fallback-runs "fell back" "$out"
check fallback-warns 1 "$(grep -c 'systrap platform does not run on this host; using ptrace' "$work/smoke-err")"
CVISOR_TEST_NO_FSGSBASE=1 timeout -k 5 60 "$cvisor" --platform=systrap do --root "$root" -- /bin/busybox true \
	>/dev/null 2>"$work/smoke-err"
check explicit-systrap-fails 125 $?
check explicit-systrap-says-why 1 "$(grep -c 'needs FSGSBASE' "$work/smoke-err")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
