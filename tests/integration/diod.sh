#!/bin/bash
# SPDX-License-Identifier: MIT
# The Sentry's 9P client against a real 9P2000.L server (Debian's diod),
# which exports the busybox root on a unix socket, started here.
#   scripts  the busybox scripts run with the root served by diod
#   kill     diod is killed while a program runs: files already read still
#            read, the others fail with EIO, the program goes on and exits
#   race     several guest processes fill the same directories and files at
#            once (the kernel lock is dropped around each round trip): each
#            sees whole listings and whole files, no entry twice, and
#            creations racing with the first listing all land
#   fds      while a program runs, /proc/<sentry>/fd holds no host path
#            inside the root (checked against the host-directory lower,
#            which does hold one, so the check can fail)
# Every sandboxed run is under timeout; waits for a line are bounded (read -t).
# usage: diod.sh CVISOR WORKDIR MODE [--platform=NAME]
set -u
cvisor=$1 work=$2 mode=$3 platform=${4:-}
platform=${platform#--platform=}
flags=()
[ -n "$platform" ] && flags+=("--platform=${platform%-nopatch}")
case $platform in *-nopatch) flags+=(--syscall-patching=false) ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v diod >/dev/null 2>&1 && [ -x /usr/sbin/diod ]; then
	PATH=$PATH:/usr/sbin
fi
if ! command -v diod >/dev/null 2>&1; then
	echo "diod.sh: diod (Debian package diod) is not installed" >&2
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi

root=$work/diod-root-$mode${platform:+-$platform}
"$here/rootfs/make-busybox-root.sh" "$root" >/dev/null || exit 77
root=$(cd "$root" && pwd)
dir=$(mktemp -d "$work/diod-$mode.XXXXXX")
diod_pid=
cleanup() {
	[ -n "$diod_pid" ] && kill -9 "$diod_pid" 2>/dev/null && wait "$diod_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

pass=0 fail=0
check() {	# name expected actual
	if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok $1"
	else fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ -f "$dir/diod.log" ] && [ $fail -gt 0 ] && { echo "--- diod log:"; cat "$dir/diod.log"; }
	[ $fail -eq 0 ]
	exit
}

# diod in the foreground, no auth, no user database, no config file, on $dir/9p.sock.
start_diod() {
	diod -f -n -N -c /dev/null -L stderr -l "$dir/9p.sock" -e "$root" 2>"$dir/diod.log" &
	diod_pid=$!
	for _ in $(seq 600); do
		[ -S "$dir/9p.sock" ] && return 0
		kill -0 "$diod_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "diod did not start:"; cat "$dir/diod.log"
	exit 1
}

over_9p=("$cvisor" "${flags[@]}" do --root "$root" --9p-socket "$dir/9p.sock")

# wait_line FD WORD: read lines from FD until one is WORD (60 s at most); prints it or "timeout".
wait_line() {
	local line
	while IFS= read -r -t 60 -u "$1" line; do
		[ "$line" = "$2" ] && { echo "$line"; return; }
	done
	echo timeout
}

# race: a file that takes many round trips to read (64 KiB each with diod)
[ "$mode" = race ] && head -c 8388608 /dev/urandom >"$root/data/big"
# kill: files a background reader is still reading when the server dies
if [ "$mode" = kill ]; then
	mkdir -p "$root/data/k"
	for i in $(seq 16); do head -c 8388608 /dev/zero >"$root/data/k/$i"; done
fi
start_diod
case $mode in
scripts)
	"$here/integration/busybox/run.sh" --root "$root" --sandbox "${over_9p[*]} --" || exit
	# and over `cvisor gofer`, where this build has it
	if "$cvisor" gofer --help 2>&1 | grep -q 'usage: cvisor gofer'; then
		"$here/integration/busybox/run.sh" --root "$root" \
			--sandbox "$cvisor ${flags[*]} do --root $root --gofer --"
	fi
	exit
	;;
kill)
	# The guest reads /data, reports, and waits for a line on stdin; meanwhile
	# the server dies. Then: /data/words.txt (read before) still reads, /etc
	# (never listed) fails with EIO for getdents64 (busybox ls ignores readdir
	# errors, so the Sentry's strace shows it) and for cat's open, and the
	# shell exits normally. Run against diod, and against `cvisor gofer`
	# (--gofer) where this build has it.
	kill_case() {	# NAME SOURCE-OPTIONS...
		local name=$1 pid first out status victim= c
		shift
		rm -f "$dir/in" "$dir/out"
		mkfifo "$dir/in" "$dir/out"
		timeout -k 5 120 "$cvisor" "${flags[@]}" do --strace-syscalls=getdents64 --root "$root" "$@" \
			-- /bin/sh -c '
			wc -l </data/words.txt
			( n=0; for f in /data/k/*; do
				cat $f >/dev/null || { echo "reader failed" >&2; exit 1; }
				n=$((n + 1)); [ $n = 1 ] && echo ready
			  done; echo "reader done" >&2 ) &
			read go
			ls /etc >/dev/null; echo "ls=$?"
			cat /etc/motd; echo "cat=$?"
			wc -l </data/words.txt; wait; echo done' <"$dir/in" >"$dir/out" 2>"$dir/err" &
		pid=$!
		exec 3<>"$dir/in" 4<"$dir/out"
		read -r -t 60 -u 4 first || first=timeout
		check "$name: read before the kill" 20 "$first"
		check "$name: guest ready" ready "$(wait_line 4 ready)"
		if [ "$name" = diod ]; then
			kill -9 "$diod_pid"
			wait "$diod_pid" 2>/dev/null
			diod_pid=
		else
			do_pid=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null | awk '{print $1}')
			for c in $(cat "/proc/$do_pid/task/$do_pid/children" 2>/dev/null); do
				tr '\0' ' ' <"/proc/$c/cmdline" | grep -q '^[^ ]* gofer ' && victim=$c
			done
			check "$name: the gofer found" yes "${victim:+yes}"
			[ -n "$victim" ] && kill -9 "$victim"
		fi
		echo go >&3
		out=$(timeout 60 cat <&4)
		exec 3>&- 4<&-
		wait "$pid"
		status=$?
		check "$name: program exits after the kill" 0 "$status"
		check "$name: getdents64 of an unlisted directory fails with EIO" 1 \
			"$(grep -c 'getdents64(.*EIO' "$dir/err")"
		check "$name: cat of an unread file fails" cat=1 "$(echo "$out" | grep '^cat=')"
		check "$name: what was read still reads" 20 "$(echo "$out" | sed -n 3p)"
		check "$name: the program ran to its end" done "$(echo "$out" | tail -n 1)"
		check "$name: cat says EIO" 1 "$(grep -c "can't open '/etc/motd': Input/output error" "$dir/err")"
		# the reader of big files said "ready" after the first: it is likely
		# in the middle of another (Treads in flight) at the kill; it ends too
		check "$name: the background reader ended" 1 "$(grep -c '^reader ' "$dir/err")"
		echo "  ($name: $(grep '^reader ' "$dir/err"))"
		[ $fail -gt 0 ] && { echo "--- stderr:"; cat "$dir/err"; }
	}
	kill_case diod --9p-socket "$dir/9p.sock"
	if "$cvisor" gofer --help 2>&1 | grep -q 'usage: cvisor gofer'; then
		kill_case gofer --gofer
	fi
	finish
	;;
race)
	# Eight processes at once, on a fresh sandbox where nothing is filled
	# yet: each says it is ready on one FIFO and waits for its line on
	# another, so they all start their first lookups together.
	race_case() {	# NAME SOURCE-OPTIONS...
		local name=$1 out
		shift
		out=$(timeout -k 5 120 "$cvisor" "${flags[@]}" do --root "$root" "$@" -- /bin/sh -c '
			mkfifo /tmp/go /tmp/ready
			exec 3<>/tmp/go 5<>/tmp/ready
			for i in 1 2 3 4 5 6 7 8; do
				( echo r >&5; read x <&3
				  touch /home/f$i; ls /bin | wc -l; md5sum </data/big; cat /data/poem.txt | wc -c
				  ls /etc | wc -l; readlink /usr/bin ) >/tmp/r.$i 2>&1 &
			done
			n=0; while [ $n -lt 8 ]; do read r <&5; n=$((n + 1)); done
			printf "go\\n%.0s" 1 2 3 4 5 6 7 8 >&3
			wait
			for i in 2 3 4 5 6 7 8; do cmp -s /tmp/r.1 /tmp/r.$i || echo "process $i differs"; done
			cat /tmp/r.1
			ls /home | wc -l
			for d in /bin /etc /home; do ls $d | sort | uniq -d; done | wc -l' 2>"$dir/err")
		check "$name: sandbox exits" 0 $?
		want_bin=$(ls "$root/bin" | wc -l)
		want_md5=$(md5sum <"$root/data/big")
		want_poem=$(wc -c <"$root/data/poem.txt")
		want_etc=$(ls "$root/etc" | wc -l)
		check "$name: every process saw the same" "" "$(echo "$out" | grep differs)"
		check "$name: whole listings, whole files" \
			"$(printf '%s\n' "$want_bin" "$want_md5" "$want_poem" "$want_etc" ../bin)" \
			"$(echo "$out" | sed -n 1,5p)"
		check "$name: creations during the first listing all landed" 8 "$(echo "$out" | sed -n 6p)"
		check "$name: no entry listed twice" 0 "$(echo "$out" | sed -n 7p)"
		[ $fail -gt 0 ] && { echo "--- output:"; echo "$out"; echo "--- stderr:"; cat "$dir/err"; }
	}
	race_case diod --9p-socket "$dir/9p.sock"
	race_case hostdir	# the host-directory lower drops the kernel lock the same way
	if "$cvisor" gofer --help 2>&1 | grep -q 'usage: cvisor gofer'; then
		race_case gofer --gofer
	fi
	finish
	;;
fds)
	# host_paths CMD...: run a guest that waits on stdin; list the Sentry's
	# fds on the host meanwhile; print each target inside $root, one a line.
	host_paths() {
		local pid sentry= t
		mkfifo "$dir/in.$1" "$dir/out.$1"
		: >"$dir/donated.$1"
		timeout -k 5 120 "${@:2}" -- /bin/sh -c 'cat /etc/motd >/dev/null; echo ready; read go' \
			<"$dir/in.$1" >"$dir/out.$1" 2>"$dir/err.$1" &
		pid=$!
		exec 3<>"$dir/in.$1" 4<"$dir/out.$1"
		if [ "$(wait_line 4 ready)" = ready ]; then
			# the timeout's child is `cvisor do`, whose children are the Sentry and (--gofer) the gofer
			do_pid=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null | awk '{print $1}')
			for c in $(cat "/proc/$do_pid/task/$do_pid/children" 2>/dev/null); do
				tr '\0' ' ' <"/proc/$c/cmdline" | grep -q '^[^ ]* gofer ' || sentry=$c
			done
		fi
		if [ -z "$sentry" ]; then
			echo "no-sentry-found"
		else
			for fd in "/proc/$sentry/fd/"*; do
				t=$(readlink "$fd") || continue
				case $t in "$root" | "$root"/*) ;; *) continue ;; esac
				# a file the gofer donated: a regular file, read-only (O_ACCMODE 0)
				if [ "$1" = gofer ] && [ -f "$t" ] && [ ! -L "$t" ] &&
					[ $(( 0$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$sentry/fdinfo/${fd##*/}") & 3 )) = 0 ]; then
					echo "$t" >>"$dir/donated.$1"
					continue
				fi
				echo "$t"
			done
			ls -l "/proc/$sentry/fd/" >"$dir/fds.$1"
		fi
		echo go >&3
		exec 3>&- 4<&-
		wait "$pid"
	}
	check "over 9P: no host path inside the root" "" "$(host_paths 9p "${over_9p[@]}")"
	[ $fail -gt 0 ] && cat "$dir/fds.9p"
	# with the Gofer (the default)
	check "with the gofer: no host path inside the root but donated files" "" \
		"$(host_paths gofer "$cvisor" "${flags[@]}" do --root "$root")"
	# the file the guest read is open in the Sentry: the Gofer donated it
	check "with the gofer: /etc/motd was donated" yes \
		"$(grep -q -x "$root/etc/motd" "$dir/donated.gofer" 2>/dev/null && echo yes)"
	# every fd of the Sentry is the memory file, a socket, a pipe, a tty,
	# /dev/null, an anonymous inode or the stdio it was given (our fifos):
	# no other host file or directory
	check "with the gofer: only memory file, sockets and stdio" "" \
		"$(sed -n 's/.* -> //p' "$dir/fds.gofer" | grep '^/' |
			grep -v -x -F -f "$dir/donated.gofer" |
			grep -v -x -e '/memfd:.*' -e '/dev/null' -e '/dev/pts/.*' \
				-e "$dir/in.gofer" -e "$dir/out.gofer" -e "$dir/err.gofer")"
	finish
	;;
writethrough)
	# --overlay=none over diod: the write-through filesystem without donated
	# fds (Tread/Twrite) and with diod's fallbacks (Trename, Tremove); every
	# change must reach diod's export, the root on the host.
	out=$(timeout 60 "${over_9p[@]}" --overlay=none -- /bin/sh -c '
		cd /tmp || exit 1
		cat /bin/busybox > big; cat /data/words.txt >> big; md5sum < big
		echo one > f; echo two >> f
		mkdir -p d/e; mv f d/e/f; ln -s e/f d/s; ln d/e/f d/h; chmod 640 d/e/f
		echo gone > victim; rm victim; mkdir emptied; rmdir emptied
		truncate -s 2 d/h
		cp /bin/busybox echo; ./echo exec-ok
		ls -a d | tr "\n" " "' 2>&1)
	check "write-through exit and output" "$(cat "$root/bin/busybox" "$root/data/words.txt" | md5sum)
exec-ok
. .. e h s " "$(echo "$out" | sed 's/^\([0-9a-f]*\) .*/\1  -/')"
	check "write-through big file" "$(echo "$out" | head -n 1)" "$(md5sum <"$root/tmp/big")"
	check "write-through content" "on" "$(cat "$root/tmp/d/e/f")"
	check "write-through link" "2 e/f 640" \
		"$(stat -c %h "$root/tmp/d/h") $(readlink "$root/tmp/d/s") $(stat -c %a "$root/tmp/d/e/f")"
	check "write-through removals" "no no" \
		"$([ -e "$root/tmp/victim" ] && echo yes || echo no) $([ -e "$root/tmp/emptied" ] && echo yes || echo no)"
	check "write-through copy" "$(md5sum <"$root/bin/busybox")" "$(md5sum <"$root/tmp/echo")"
	rm -rf "${root:?}/tmp/"*
	finish
	;;
*)
	echo "usage: diod.sh CVISOR WORKDIR scripts|kill|race|fds|writethrough [--platform=NAME]" >&2
	exit 2
	;;
esac
