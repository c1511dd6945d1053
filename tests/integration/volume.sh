#!/bin/sh
# SPDX-License-Identifier: MIT
# Volumes and --overlay=none (write-through over 9P), over the busybox root:
#   rw       writes, appends, mkdir, rename, unlink, symlink, link, chmod,
#            truncate, touch -d inside the guest land in the host directory;
#            fsync and fdatasync work; statfs says 9p (V9FS_MAGIC);
#            exec of a static binary copied into the volume (and of one the
#            host put there); a listing shows ".", ".." and the entries
#   host     the host changes the volume while the guest runs (a handshake
#            through files in it, waits bounded): the guest sees the changes
#            on its next lookups (new file, changed content, removed file,
#            a file replaced by a directory)
#   ro       :ro gives "Read-only file system" for every kind of write, and
#            the host directory is unchanged (its listing and checksums)
#   overlay  --overlay=none: writes reach the host root (a throwaway copy);
#            the default overlay leaves the host root unchanged
#   scripts  every busybox script (tests/integration/busybox) under
#            --overlay=none, each on a fresh copy of the root: same output
#            and status as with the overlay
#   spec     bad --volume specs fail with a message naming them, exit 2
#   many     after a listing of 10000 files the gofer holds fewer than 4600
#            fds (the Sentry's cache of entries, each with a fid, is bounded)
#   dead     the gofer is killed while the guest runs: EIO, no hang
#   escape   symlinks in the volume to /, ../.., and a host path outside do
#            not leave the volume's host directory (a secret beside it is
#            never read, nothing is created beside it); and the volume's host
#            directory swapped for a symlink to another while the guest runs
#            changes nothing it sees
#   nested   a volume inside another (given first) is mounted on it, its
#            mountpoint made in the outer volume; volumes show in /proc/mounts
#   fstat    (VOLUME_CHECK) the host grows a file the guest has open: fstat,
#            lseek(SEEK_END) and an O_APPEND write see the new size
#   mmap     (VOLUME_CHECK, a static program) MAP_PRIVATE and MAP_SHARED of an
#            O_RDONLY fd map the file's bytes; MAP_SHARED of an O_RDWR fd is
#            refused with EINVAL (it would not be written back)
# usage: volume.sh CVISOR WORKDIR VOLUME_CHECK [--platform=NAME]
set -u
cvisor=$1 work=$2 volume_check=$3 platform=${4:-}
flags=${platform:+$platform }
here=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
check() {	# name expected actual
	if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok $1"
	else fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
mkdir -p "$work"
root=$work/volume-root${platform:+-${platform#--platform=}}
if ! "$here/rootfs/make-busybox-root.sh" "$root" >/dev/null; then  # 77: no static busybox
	echo "volume.sh: cannot build the busybox root (no static busybox?)" >&2
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
tmp=$(mktemp -d "$work/volume.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# sandbox ROOT [OPTIONS...] -- CMD: a sandbox over ROOT, bounded
sandbox() {
	r=$1
	shift
	# shellcheck disable=SC2086 # flags is one word or none
	timeout 60 "$cvisor" $flags 'do' --root "$r" "$@"
}
# run [OPTIONS...] -- CMD: over the busybox root
run() {
	sandbox "$root" "$@"
}
# A listing of a host tree with modes, sizes, link targets and checksums.
snapshot() {	# DIR
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | sort && find . -type f -exec md5sum {} + | sort -k2)
}

# gofer_of PID: the gofer of the sandbox whose `timeout` is PID
gofer_of() {
	supervisor=$(ps -o pid= --ppid "$1" | tr -d ' ')
	ps -o pid=,args= --ppid "$supervisor" | awk '$3 == "gofer" { print $1 }'
}
# wait_line FILE LINE: until FILE has LINE (60 s at most)
wait_line() {
	n=0
	while ! grep -q "^$2\$" "$1" && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
}

# --- rw ---
v=$tmp/rw
mkdir -p "$v/sub"
echo hello > "$v/f"
echo gone > "$v/victim"
printf 0123456789 > "$v/trunc"
cp "$root/bin/busybox" "$v/sub/echo"
out=$(run --volume "$v:/mnt/v" -- /bin/sh -c '
	cd /mnt/v || exit 1
	echo world >> f
	echo new > new
	mkdir -p d/e
	mv new d/e/moved
	rm victim
	ln -s d/e/moved sym
	ln f hard
	chmod 640 f
	truncate -s 4 trunc
	touch -d "2001-02-03 04:05:06" new-old 
	cp /bin/busybox echo
	./echo exec-ok
	sub/echo host-exec-ok
	cat sym
	ls -a | tr "\n" " "
	echo
	stat -c "%a %h" f
	sync f && sync -d f && echo synced
	stat -f -c %t .
' 2>&1)
check rw-exit 0 $?
check rw-output "exec-ok
host-exec-ok
new
. .. d echo f hard new-old sub sym trunc 
640 2
synced
1021997" "$out"
check rw-append "hello
world" "$(cat "$v/f")"
check rw-rename "new" "$(cat "$v/d/e/moved" 2>&1)"
check rw-unlink no "$([ -e "$v/victim" ] && echo yes || echo no)"
check rw-symlink d/e/moved "$(readlink "$v/sym")"
check rw-link 2 "$(stat -c %h "$v/f")"
check rw-chmod 640 "$(stat -c %a "$v/f")"
check rw-truncate 0123 "$(cat "$v/trunc")"
check rw-utimes "2001-02-03 04:05:06" "$(date -d "@$(stat -c %Y "$v/new-old")" '+%Y-%m-%d %H:%M:%S')"
check rw-copy "$(md5sum < "$root/bin/busybox")" "$(md5sum < "$v/echo")"

# --- nested: a volume inside another, given first; two volumes side by side ---
mkdir -p "$tmp/outer" "$tmp/inner" "$tmp/side"
echo o > "$tmp/outer/o"
echo i > "$tmp/inner/i"
echo s > "$tmp/side/s"
out=$(run --volume "$tmp/inner:/mnt/outer/in" --volume "$tmp/outer:/mnt/outer" --volume "$tmp/side:/srv/side:ro" -- \
	/bin/sh -c 'cat /mnt/outer/o /mnt/outer/in/i /srv/side/s; echo new > /mnt/outer/in/n; grep -c " 9p " /proc/mounts' 2>&1)
check nested-output "o
i
s
3" "$out"
check nested-host "new yes" "$(cat "$tmp/inner/n") $([ -d "$tmp/outer/in" ] && echo yes || echo no)"

# --- mmap ---
v=$tmp/mmap
mkdir -p "$v"
cp "$volume_check" "$v/volume_check"
echo hello > "$v/data"
check mmap-native "private-ro: hello
private-rw: Xello
shared-ro: hello
shared-rdwr: hello" "$("$v/volume_check" mmap "$v/data")"
check mmap-sandbox "private-ro: hello
private-rw: Xello
shared-ro: hello
shared-rdwr: Invalid argument" "$(run --volume "$v:/mnt/v" -- /mnt/v/volume_check mmap /mnt/v/data 2>&1)"
check mmap-unchanged hello "$(cat "$v/data")"

# --- fstat: a file the guest holds open, grown by the host ---
echo 12345 > "$v/grown"
rm -f "$tmp/in.fstat"
mkfifo "$tmp/in.fstat"
# shellcheck disable=SC2086 # flags is one word or none
timeout 60 "$cvisor" $flags 'do' --root "$root" --volume "$v:/mnt/v" -- /mnt/v/volume_check fstat /mnt/v/grown \
	< "$tmp/in.fstat" > "$tmp/fstat.out" 2>&1 &
guest=$!
exec 3> "$tmp/in.fstat"
wait_line "$tmp/fstat.out" ready
echo 6789 >> "$v/grown"
echo go >&3
exec 3>&-
wait "$guest"
check fstat-exit 0 $?
check fstat-output "size 6
ready
size 11
end 11
append at 12" "$(cat "$tmp/fstat.out")"
check fstat-host "12345
6789
!" "$(cat "$v/grown")"

# --- host: changes made on the host while the guest runs ---
v=$tmp/host
mkdir -p "$v"
echo one > "$v/changing"
echo here > "$v/removed"
echo file > "$v/replaced"
# the guest waits (bounded) for a file of the host; the host for one of the guest
# shellcheck disable=SC2016 # expanded by the guest's shell
wait_for='n=0; while [ ! -e "$1" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done; [ -e "$1" ]'
run --volume "$v:/mnt/v" -- /bin/sh -c '
	w() { '"$wait_for"'; }
	cd /mnt/v || exit 1
	cat changing; cat removed; ls replaced; ls newfile 2>/dev/null || echo no-newfile
	echo ready > ready
	w go || { echo no-go; exit 1; }
	cat changing; cat removed 2>/dev/null || echo no-removed; ls -d replaced/inner; cat newfile
' > "$tmp/host.out" 2>&1 &
guest=$!
n=0
while [ ! -e "$v/ready" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
echo two-longer > "$v/changing"
rm "$v/removed"
rm "$v/replaced"
mkdir -p "$v/replaced/inner"
echo made-on-host > "$v/newfile"
touch "$v/go"
wait "$guest"
check host-exit 0 $?
check host-seen "one
here
replaced
no-newfile
two-longer
no-removed
replaced/inner
made-on-host" "$(cat "$tmp/host.out")"

# --- ro ---
v=$tmp/ro
mkdir -p "$v/dir"
echo keep > "$v/f"
ln -s f "$v/link"
before=$(snapshot "$v")
out=$(run --volume "$v:/mnt/ro:ro" -- /bin/sh -c '
	cd /mnt/ro || exit 1
	cat f
	echo x > new; echo x >> f; mkdir d2; rm f; rmdir dir; mv f g; ln -s f s2; ln f h2
	chmod 600 f; touch f; truncate -s 0 f
' 2>&1)
check ro-exit 1 $?
check ro-content keep "$(echo "$out" | head -n 1)"
check ro-erofs 11 "$(echo "$out" | grep -c 'Read-only file system')"
check ro-unchanged "$before" "$(snapshot "$v")"

# --- overlay ---
copy=$tmp/rootcopy
cp -a "$root" "$copy"
out=$(sandbox "$copy" --overlay=none -- /bin/sh -c '
	echo through > /tmp/through; mkdir /made; rm /data/words 2>/dev/null; echo done' 2>&1)
check overlay-none-exit "done" "$out"
check overlay-none-file through "$(cat "$copy/tmp/through" 2>&1)"
check overlay-none-mkdir yes "$([ -d "$copy/made" ] && echo yes || echo no)"
before=$(snapshot "$root")
out=$(sandbox "$root" --overlay=memory -- /bin/sh -c '
	echo mem > /tmp/mem; mkdir /made; cat /tmp/mem' 2>&1)
check overlay-memory-guest mem "$out"
check overlay-memory-unchanged "$before" "$(snapshot "$root")"

# --- scripts: the busybox scripts with the root written through ---
bbdir=$here/integration/busybox
for script in "$bbdir"/[0-9]*.sh; do
	name=$(basename "$script" .sh)
	rm -rf "$copy"
	cp -a "$root" "$copy"
	mkdir -p "$copy/tests"
	cp "$script" "$copy/tests/"
	sandbox "$copy" --overlay=none -- /bin/sh "/tests/$name.sh" < /dev/null > "$tmp/script.out" 2>/dev/null
	st=$?
	want=0
	[ -f "$bbdir/$name.status" ] && want=$(cat "$bbdir/$name.status")
	check "script $name status" "$want" "$st"
	check "script $name output" yes "$(cmp -s "$tmp/script.out" "$bbdir/$name.expected" && echo yes || echo no)"
done

# --- spec: each bad --volume fails with exit 2 and names the spec ---
echo plain > "$tmp/plainfile"
for spec in nocolon "$tmp/missing:/x" "$tmp/plainfile:/x" "$tmp:relative" "$tmp:/" "$tmp:/a/../b" "$tmp:/x:bogus" ":/x"; do
	out=$(run --volume "$spec" -- /bin/true 2>&1)
	st=$?
	check "spec-status $spec" 2 "$st"
	case $out in *"$spec"*) named=yes ;; *) named=no ;; esac
	check "spec-named $spec" yes "$named"
done

# --- escape: symlinks in the volume lead within the sandbox only ---
esc=$tmp/esc
mkdir -p "$esc/vol"
secret="volume-secret-$$"
echo "$secret" > "$esc/secret"
ln -s / "$esc/vol/to-root"
ln -s ../.. "$esc/vol/up"
ln -s .. "$esc/vol/parent"
ln -s "$esc" "$esc/vol/abs-out"
ln -s "$esc/secret" "$esc/vol/abs-secret"
# on the host these links do lead to the secret: the checks below can fail
check escape-control "$secret $secret" "$(cat "$esc/vol/abs-secret" "$esc/vol/parent/secret" | tr '\n' ' ' | sed 's/ $//')"
before=$(snapshot "$esc")
out=$(run --volume "$esc/vol:/mnt/v" -- /bin/sh -c '
	cd /mnt/v
	cat to-root/secret up/secret parent/secret abs-secret abs-out/secret ../secret ../../secret up/../secret
	cat /mnt/v/up/vol/../secret
	echo x > up/created; echo x > to-root/created2; echo x > abs-out/created3; echo x > parent/created4
	cd ..; cd ..; ls
' 2>&1)
case $out in *"$secret"*) leaked=yes ;; *) leaked=no ;; esac
check escape-no-secret no "$leaked"
check escape-host-unchanged "$before" "$(snapshot "$esc")"

# --- escape: the volume's host directory replaced by a symlink while the sandbox runs ---
# The gofer holds the export's directory from the start: swapping the host path for a symlink
# to the secret's directory changes nothing the guest sees.
sw=$tmp/swap
mkdir -p "$sw/vol" "$sw/outside"
echo inside > "$sw/vol/file"
echo "$secret" > "$sw/outside/file"
rm -f "$tmp/in.swap"
mkfifo "$tmp/in.swap"
# shellcheck disable=SC2086 # flags is one word or none
timeout 60 "$cvisor" $flags 'do' --root "$root" --volume "$sw/vol:/mnt/v" -- /bin/sh -c '
	cat /mnt/v/file; echo ready; read go; cat /mnt/v/file; ls /mnt/v; echo done' \
	< "$tmp/in.swap" > "$tmp/swap.out" 2>&1 &
guest=$!
exec 3> "$tmp/in.swap"
wait_line "$tmp/swap.out" ready
mv "$sw/vol" "$sw/vol.orig" && ln -s "$sw/outside" "$sw/vol"
check swap-control "$secret" "$(cat "$sw/vol/file")"
echo go >&3
exec 3>&-
wait "$guest"
check swap-exit 0 $?
check swap-output "inside
ready
inside
file
done" "$(cat "$tmp/swap.out")"

# --- many: a listing of 10000 files does not keep 10000 fids (fds) in the gofer ---
v=$tmp/many
mkdir -p "$v/d"
(cd "$v/d" && seq 10000 | xargs touch)
mkfifo "$tmp/in.many"
# shellcheck disable=SC2086,SC2016 # flags is one word or none; the script is the guest's
timeout 120 "$cvisor" $flags 'do' --root "$root" --volume "$v:/mnt/v" -- /bin/sh -c '
	ls -l /mnt/v/d | wc -l
	echo ready
	read go
	: < /mnt/v/d/1 && echo open-ok
' < "$tmp/in.many" > "$tmp/many.out" 2>&1 &
guest=$!
exec 3> "$tmp/in.many"
wait_line "$tmp/many.out" ready
gofer=$(gofer_of "$guest")
fds=$(find "/proc/$gofer/fd" -mindepth 1 2>/dev/null | wc -l)
check many-fds-bounded yes "$([ "$fds" -gt 0 ] && [ "$fds" -lt 4600 ] && echo yes || echo "no ($fds)")"
echo go >&3
exec 3>&-
wait "$guest"
check many-exit 0 $?
check many-output "10001
ready
open-ok" "$(cat "$tmp/many.out")"

# --- dead: the gofer dies while the guest uses the volume: EIO, no hang ---
v=$tmp/dead
mkdir -p "$v"
echo alive > "$v/f"
mkfifo "$tmp/in"
# shellcheck disable=SC2086,SC2016 # flags is one word or none; the script is the guest's
timeout 60 "$cvisor" $flags 'do' --root "$root" --volume "$v:/mnt/v" -- /bin/sh -c '
	read x < /mnt/v/f; echo "before=$x"
	echo ready
	read go
	read y < /mnt/v/f && echo "after=$y"
	echo x > /mnt/v/new
	cd /mnt/v/nowhere
	echo done
' < "$tmp/in" > "$tmp/dead.out" 2>&1 &
guest=$!
exec 3> "$tmp/in"
wait_line "$tmp/dead.out" ready
gofer=$(gofer_of "$guest")
check dead-gofer-found yes "$([ -n "$gofer" ] && echo yes || echo no)"
[ -n "$gofer" ] && kill -9 "$gofer"
echo go >&3
exec 3>&-
wait "$guest"
check dead-exit 0 $?
check dead-before before=alive "$(grep '^before=' "$tmp/dead.out")"

check dead-eio 3 "$(grep -c 'Input/output error' "$tmp/dead.out")"
check dead-done "done" "$(tail -n 1 "$tmp/dead.out")"
check dead-unchanged "f" "$(ls "$v")"

echo "volume: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
