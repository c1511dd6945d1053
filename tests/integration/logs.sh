#!/bin/sh
# SPDX-License-Identifier: MIT
# Debug logs: --debug-log DIR writes runtime.log and sentry.log in runc's JSON
# or text format; a Sentry crash is logged with a symbolized backtrace;
# --strace goes into the sentry log when there is one.
# usage: logs.sh CVISOR WORKDIR
set -u
cvisor=$1 work=$2
here=$(cd "$(dirname "$0")/.." && pwd)
root=$work/logs-root
pass=0 fail=0
check() {	# name command...
	name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "ok $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}
"$here/rootfs/make-busybox-root.sh" "$root" >/dev/null || exit 77
rm -rf "$work/logs-json" "$work/logs-text" "$work/logs-crash" "$work/logs-seccomp"

timeout 60 "$cvisor" --debug-log "$work/logs-json" --log-format json --strace do --root "$root" -- /bin/true
check json-files test -s "$work/logs-json/runtime.log" -a -s "$work/logs-json/sentry.log"
check json-valid python3 -c '
import json, sys
for path in sys.argv[1:]:
    for line in open(path):
        if line.startswith("[pid"):
            continue        # --strace lines
        rec = json.loads(line)
        assert rec["level"] and rec["msg"] and rec["time"] and rec["component"], rec
' "$work/logs-json/runtime.log" "$work/logs-json/sentry.log"
check json-unsupported-logged grep -q '"msg":"unsupported syscall rseq' "$work/logs-json/sentry.log"
check strace-in-sentry-log grep -q '^\[pid *1\] exit_group(0) = ?' "$work/logs-json/sentry.log"

timeout 60 "$cvisor" --debug-log "$work/logs-text" do --root "$root" -- /bin/true
check text-format grep -q '^time="[0-9T:.-]*Z" level=info msg="do: exit status 0" component=runtime' \
	"$work/logs-text/runtime.log"

CVISOR_TEST_CRASH=segv timeout 60 "$cvisor" --debug-log "$work/logs-crash" do --root "$root" -- /bin/true
check crash-status test $? -ne 0
check crash-logged grep -q 'msg="panic: Segmentation fault' "$work/logs-crash/sentry.log"
check crash-backtrace grep -q 'sentry_run' "$work/logs-crash/sentry.log"

CVISOR_TEST_CRASH=seccomp timeout 60 "$cvisor" --debug-log "$work/logs-seccomp" do --root "$root" -- /bin/true
check seccomp-status test $? -ne 0
check seccomp-logged grep -q 'msg="seccomp violation: host syscall 110 ' "$work/logs-seccomp/sentry.log"
check seccomp-backtrace grep -q '(sentry_run+' "$work/logs-seccomp/sentry.log"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
