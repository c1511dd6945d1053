#!/bin/sh
# SPDX-License-Identifier: MIT
# The escape battery (issue 18): from inside the sandbox, try to read a secret
# file that lies outside the root on the host (symlinks out, absolute and
# relative, `..` walks, /proc/self/root, O_PATH fds and /proc/self/fd, dirfd
# tricks, chroot, hard links, a symlink the host swaps in while the guest
# walks through it) and to write outside the root or into it. The same
# program runs natively first, on its own copy, where every attempt must
# reach the secret or change the host's files: the proof that each one names
# a real path out. In the sandbox every read attempt must be blocked and the
# host's files (the root's and those beside it) must not change at all.
# usage: escape.sh CVISOR ESCAPE_EXE WORKDIR PLATFORM
set -u
cvisor=$1 exe=$2 work=$3 platform=$4
race_n=2000	# directories the host swaps with a symlink out; one fresh walk each
reads=39	# read attempts the program makes (lines "NAME: blocked|REACHED")
pass=0 fail=0
check() {	# name expected actual
	if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok $1"
	else fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
mkdir -p "$work"
tmp=$(mktemp -d "$work/escape.XXXXXX") || exit 1
swapper='' holders=''
cleanup() {
	[ -n "$swapper" ] && kill "$swapper" 2>/dev/null
	touch "$tmp/native.stop" "$tmp/sandbox.stop"
	for p in $holders; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
secret_text="cvisor-escape-secret-$$-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"

# Host layout of one run: D/secret, D/victim, D/hl_target outside; D/root the
# root. Host processes hold D/root/fifo open with the secret in its buffer,
# and listen on D/root/host.sock, sending the secret, until D.stop exists.
setup() {	# D
	d=$1 r=$1/root
	mkdir -p "$r/a/b/c/d/e" "$r/jail" "$r/data" "$r/race" "$r/alt" "$r/proc" "$r/dev" "$r/tmp" || return 1
	printf '%s\n' "$secret_text" > "$d/secret"
	echo victim > "$d/victim"
	echo hardlinked > "$d/hl_target"
	cp "$exe" "$r/escape"
	ln -s "$d/secret" "$r/abs_link"
	ln -s "$d" "$r/abs_dirlink"
	ln -s ../../../../secret "$r/a/b/c/rel_link"
	ln -s ../../../.. "$r/a/b/c/rel_dirlink"
	ln -s d/e "$r/a/b/c/rel_self"
	ups=$(printf '../%.0s' $(seq 40))
	ln -s "$ups${d#/}/secret" "$r/rel_deep_link"
	ln -s chain2 "$r/chain1"
	ln -s abs_link "$r/chain2"
	ln -s "$d/victim" "$r/abs_victim"
	ln -s ../../../../victim "$r/a/b/c/rel_victim"
	ln "$d/hl_target" "$r/hardlink"
	for k in 1 2 3 4 5 6 7; do echo "file$k" > "$r/data/file$k"; done
	# race/dK: a directory with a decoy; alt/dK: a symlink out (absolute, or
	# relative "../..", which from race/ is D natively).
	k=0
	while [ $k -lt $race_n ]; do
		mkdir "$r/race/d$k" && echo decoy > "$r/race/d$k/secret"
		if [ $((k % 2)) -eq 0 ]; then ln -s "$d" "$r/alt/d$k"; else ln -s ../.. "$r/alt/d$k"; fi
		k=$((k + 1))
	done
	mkfifo "$r/fifo" || return 1
	# shellcheck disable=SC2016
	sh -c 'printf "%s" "$1" >&3; while [ ! -e "$2" ]; do sleep 1; done' sh "$secret_text" "$d.stop" 3<>"$r/fifo" &
	holders="$holders $!"
	"$exe" serve "$r/host.sock" "$secret_text" "$d.stop" &
	holders="$holders $!"
	for _ in $(seq 100); do [ -S "$r/host.sock" ] && return 0; sleep 0.1; done
	echo "no listener on $r/host.sock"
	return 1
}

# Everything about D's files that a write could change. The swapper moves
# entries between race/ and alt/: listed relative to each, the union is fixed.
snapshot() {	# D
	(
		cd "$1" || exit 1
		find . \( -path ./root/race -o -path ./root/alt \) -prune -o \
			-printf '%p %y %m %n %s %T@ %l\n' | LC_ALL=C sort
		find . \( -path ./root/race -o -path ./root/alt \) -prune -o -type f -print |
			LC_ALL=C sort | while read -r f; do sha256sum "$f"; done
		find root/race root/alt -mindepth 1 -printf '%P %y %m %n %s %l\n' | LC_ALL=C sort
		find root/race root/alt -type f -exec cat {} + | sort | uniq -c
	)
}

read_verdicts() {	# OUTPUT WORD: how many read attempts said WORD
	grep -c -E "^[^:]*: $2( |\$)" "$1"
}

# 1. Natively, on its own copy: every attempt reaches the host's files.
nd=$tmp/native
setup "$nd" || { echo "FAIL setup"; exit 1; }
"$exe" swap-once "$nd/root" "$race_n" || { echo "FAIL swap-once"; exit 1; }
timeout -k 5 120 "$exe" guest "$nd/root" "$nd" "$nd/secret" "$secret_text" "$race_n" > "$tmp/native.out" 2>&1
status=$?
check native-exit 0 $status
check native-finished end "$(tail -n 1 "$tmp/native.out")"
check native-all-reached $reads "$(read_verdicts "$tmp/native.out" REACHED)"
check native-none-blocked 0 "$(read_verdicts "$tmp/native.out" blocked)"
if [ "$(read_verdicts "$tmp/native.out" blocked)" != 0 ]; then grep ': blocked' "$tmp/native.out"; fi
check native-hardlink-visible 1 "$(grep -c '^host hard link inside the root: visible$' "$tmp/native.out")"
check native-writes-victim pwned "$(cat "$nd/victim")"
check native-writes-hl-target pwned "$(cat "$nd/hl_target")"
check native-creates-outside yes "$([ -e "$nd/created" ] && [ -e "$nd/created2" ] && echo yes)"
check native-links-secret 5 "$(stat -c %h "$nd/secret")"
check native-overwrites-root pwned "$(cat "$nd/root/data/file1")"

# 2. In the sandbox, with the host swapping race/dK meanwhile.
sd=$tmp/sandbox
setup "$sd" || { echo "FAIL setup"; exit 1; }
snapshot "$sd" > "$tmp/before"
case $platform in
*-nopatch) flags="--platform=${platform%-nopatch} --syscall-patching=false" ;;
*) flags="--platform=$platform" ;;
esac
nice "$exe" swap "$sd/root" "$race_n" "$tmp/stop" &
swapper=$!
# shellcheck disable=SC2086
timeout -k 5 300 "$cvisor" $flags "do" --root "$sd/root" -- /escape guest "" "$sd" "$sd/secret" "$secret_text" \
	"$race_n" > "$tmp/sandbox.out" 2> "$tmp/sandbox.err"
status=$?
touch "$tmp/stop" "$sd.stop"
wait "$swapper"
check swapper-exit 0 $?
swapper=
snapshot "$sd" > "$tmp/after"
cat "$tmp/sandbox.out"
check sandbox-exit 0 $status
check sandbox-finished end "$(tail -n 1 "$tmp/sandbox.out")"
check sandbox-all-blocked $reads "$(read_verdicts "$tmp/sandbox.out" blocked)"
check sandbox-none-reached 0 "$(read_verdicts "$tmp/sandbox.out" REACHED)"
check sandbox-secret-never-printed 0 "$(cat "$tmp/sandbox.out" "$tmp/sandbox.err" | grep -c -F "$secret_text")"
check sandbox-hardlink-visible 1 "$(grep -c '^host hard link inside the root: visible$' "$tmp/sandbox.out")"
# Writes stay in the sandbox: the guest saw its own file at the secret's host path.
check sandbox-guest-file-at-host-path 1 \
	"$(grep -c '^absolute symlink after the guest made its path: visible$' "$tmp/sandbox.out")"
check sandbox-host-secret "$secret_text" "$(cat "$sd/secret")"
check sandbox-host-victim victim "$(cat "$sd/victim")"
check sandbox-host-hl-target hardlinked "$(cat "$sd/hl_target")"
check sandbox-no-link-to-secret 1 "$(stat -c %h "$sd/secret")"
check sandbox-host-files-unchanged "" "$(diff "$tmp/before" "$tmp/after")"
if [ $fail -ne 0 ]; then
	echo "--- native output"; cat "$tmp/native.out"
	echo "--- sandbox stderr"; tail -n 20 "$tmp/sandbox.err"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
