#!/bin/sh
# SPDX-License-Identifier: MIT
# Interactive bash on a real terminal (script(1) gives it one): job control
# moves the terminal's foreground group around (TIOCGPGRP/TIOCSPGRP/TCGETS
# on host stdio) and reports background jobs. Uses the cached Debian root.
# usage: tty.sh CVISOR
set -u
cvisor=$1
here=$(cd "$(dirname "$0")" && pwd)
root=${CVISOR_CACHE:-/var/cache/cvisor}/debian-bookworm
command -v script >/dev/null || { echo "script(1) missing (util-linux)"; exit 77; }
mkdir -p "$(dirname "$root")"
( flock 9; "$here/../rootfs/make-debian-root.sh" "$root" ) 9>"$root.lock" || exit $?
out=$(timeout -k 5 60 script -qec "$cvisor do --root $root -- /bin/bash -i -c 'sleep 0.1 & wait; echo status \$?; (exit 3) & wait \$!; echo job \$?; stty -a >/dev/null && echo stty ok; echo done'" /dev/null 2>&1 | tr -d '\r')
echo "$out"
pass=0 fail=0
for want in "status 0" "Exit 3" "job 3" "stty ok" "done"; do
	if echo "$out" | grep -q "$want"; then pass=$((pass + 1)); echo "ok $want"
	else fail=$((fail + 1)); echo "FAIL missing: $want"; fi
done
if echo "$out" | grep -q "smashing\|Segmentation"; then fail=$((fail + 1)); echo "FAIL crash"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
