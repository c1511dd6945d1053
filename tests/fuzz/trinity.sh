#!/bin/sh
# SPDX-License-Identifier: MIT
# Debian's trinity, a second and independent syscall fuzzer, inside a cvisor
# sandbox (never natively). trinity is dynamic and needs only libc: its root
# is made of the host's own trinity package (Debian 12, as CI) and the loader
# and libc it links, so no debootstrap is needed; writes stay in the Sentry.
# Judged like run.sh: cvisor exits with trinity's status, no Sentry crash, no
# hang (the timeout), no stub left in the sandbox's session.
#
# usage: trinity.sh CVISOR ROOT [--count N] [--children C] [--seed S]
#                   [--platform NAME] [--timeout SECONDS]
set -eu
cvisor=$1 root=$2
shift 2
count=100000 children=4 seed=1 platform=systrap timeout=""
while [ $# -gt 0 ]; do
	case $1 in
	--count) count=$2; shift 2 ;;
	--children) children=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--platform) platform=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	*) echo "trinity.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
timeout=${timeout:-$((count / 50 + 300))}
bin=$(command -v trinity || true)
if [ -z "$bin" ]; then
	echo "trinity.sh: trinity is not installed (make fuzz-deps installs it)" >&2
	exit 1
fi
mkdir -p "$root/tmp" "$root/etc" "$root/usr/bin"
cp "$bin" "$root/usr/bin/trinity"
for lib in $(ldd "$bin" | awk '/=>/ { print $3 } !/=>/ && /^\t\// { print $1 }'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
	>"$root/etc/passwd"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/trinity.log
# -a 64: the Sentry serves the 64-bit ABI only (int $0x80 is a SIGSYS there).
# No sockets, perf, memfd or drm fd providers: not in the Sentry yet, and
# trinity retries socket creation for ever when every family fails.
# --dangerous: trinity refuses to run as root otherwise (root only inside).
set -- -q -l off -a 64 -N "$count" -C "$children" -s "$seed" --dangerous \
	--disable-fds=sockets,perf,memfd,drm
start=$(date +%s)
rc=0
timeout -k 5 "$timeout" setsid -w sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$work/sid" \
	"$cvisor" --platform="$platform" do --root "$root" --cwd /tmp -- /usr/bin/trinity "$@" \
	</dev/null >"$log" 2>&1 || rc=$?
sid=$(cat "$work/sid" 2>/dev/null || echo none)
tail -c 8M "$log" >"$log.tail" && mv "$log.tail" "$log"	# a runaway log must not flood grep
elapsed=$(( $(date +%s) - start ))
why=""
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	why="hang: trinity did not finish within ${timeout}s"
elif grep -aq 'panic:\|seccomp violation\|fatal error' "$log"; then
	why="Sentry crash (cvisor exit status $rc)"
elif [ "$rc" -ne 0 ]; then
	why="exit status $rc"
fi
if [ "$sid" != none ]; then
	sleep 1
	left=$(ps -e -o sid=,pid=,args= | awk -v s="$sid" '$1 == s { $1 = ""; print }')
	if [ -n "$left" ]; then
		why="${why:+$why; }host processes left behind: $(echo "$left" | tr '\n' ';')"
		kill -KILL -"$sid" 2>/dev/null || true
	fi
fi
ran=$(grep -ao 'Ran [0-9]* syscalls[^.]*\.[^\n]*' "$log" | tail -1)
if [ -n "$why" ]; then
	echo "FAIL trinity on $platform (trinity $*): $why, ${elapsed}s"
	grep -av "Couldn't open socket\|Can't do protocol\|marking as inactive" "$log" | tail -40
	exit 1
fi
echo "ok trinity on $platform: ${ran:-no count printed}, ${elapsed}s (trinity $*)"
