#!/bin/bash
# SPDX-License-Identifier: MIT
# podman (Debian's, with conmon) drives cvisor as its OCI runtime:
# `podman --runtime cvisor run ...` on an image imported from the busybox
# root: exit codes, stdin and stdout, -t, -e, -w, -u, detached containers
# with podman logs, stop and kill, and no process of ours left after.
# podman runs with its own storage (the vfs driver: no overlay mounts to
# clean up), run and tmp directories under WORKDIR, cgroupfs and no events,
# so it needs no systemd and touches no other state.
# Without podman: a skip (77) on a laptop, a failure under CI=true.
# usage: podman.sh CVISOR WORKDIR
set -u
src=$1 work=$2/podman
here=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v podman >/dev/null; then
	echo "podman is not installed (Debian package podman)"
	[ -n "${CI:-}" ] && { echo "0 passed, 1 failed"; exit 1; }
	exit 77
fi
rm -rf "$work"
mkdir -p "$work/tmp"
cv=$work/cvisor-podman-$$
cp "$src" "$cv" || exit 1
P=(podman --root "$work/storage" --runroot "$work/run" --tmpdir "$work/tmp" --storage-driver vfs --cgroup-manager=cgroupfs
   --events-backend=none --runtime "$cv")
image=localhost/cvisor-busybox:test
. "$here/integration/checks.sh"
run() { timeout -k 5 120 "${P[@]}" run --rm --network=none "$@"; }

"$here/rootfs/make-busybox-root.sh" "$work/root" >/dev/null || exit 1
tar -C "$work/root" -cf "$work/root.tar" . || exit 1
if ! "${P[@]}" import "$work/root.tar" "$image" >"$work/import.log" 2>&1; then
	cat "$work/import.log"
	echo "0 passed, 1 failed"
	exit 1
fi

out=$(run "$image" /bin/sh -c 'echo "hello $(hostname)"; exit 3' 2>&1)
expect "run: the exit status" "3" "$?"
contains "run: stdout" "hello " "$out"
expect "run -i: stdin" "piped" "$(echo piped | run -i "$image" /bin/cat)"
expect "run -e" "bar" "$(run -e FOO=bar "$image" /bin/sh -c 'echo $FOO')"
expect "run -w" "/tmp" "$(run -w /tmp "$image" /bin/pwd)"
expect "run -u" "1234 567" "$(run -u 1234:567 "$image" /bin/sh -c 'echo $(id -u) $(id -g)')"
expect "run: stderr" "to stderr" "$(run "$image" /bin/sh -c 'echo to stderr >&2' 2>&1 >/dev/null)"
out=$(run -t "$image" /bin/sh -c 'test -t 0 && test -t 1 && echo on-a-tty' | tr -d '\r')
expect "run -t: stdin and stdout are a terminal" "on-a-tty" "$out"

# volumes and a read-only root
mkdir -p "$work/pv" && echo "host side" >"$work/pv/in"
out=$(run -v "$work/pv:/data" "$image" /bin/sh -c 'cat /data/in; echo "from the container" >/data/out' 2>&1)
expect "-v: the host's file reads" "host side" "$out"
expect "-v: a write goes through to the host" "from the container" "$(cat "$work/pv/out" 2>&1)"
out=$(run -v "$work/pv:/data:ro" "$image" /bin/sh -c 'echo x >/data/new || echo refused' 2>&1)
contains "-v :ro: a write is refused" "refused" "$out"
expect "-v :ro: the host directory is unchanged" "in out" "$(ls "$work/pv" | tr '\n' ' ' | sed 's/ $//')"
out=$(run --read-only "$image" /bin/sh -c 'echo x >/etc/new 2>/dev/null || echo root-refused; echo y >/tmp/y && echo tmp-ok' 2>&1)
contains "--read-only: the root refuses writes" "root-refused" "$out"
contains "--read-only: /tmp is a writable tmpfs" "tmp-ok" "$out"

# --memory and --pids-limit: the container's process sits in a cgroup with those limits
# cgroup_file PID CONTROLLER FILE: that file of PID's cgroup (v1 or v2)
cgroup_file() {
	local line path
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		path=$(awk -F: '$1 == "0" {print $3}' "/proc/$1/cgroup")
		cat "/sys/fs/cgroup$path/$3" 2>&1
	else
		line=$(grep -E "^[0-9]+:([^:]*,)?$2(,[^:]*)?:" "/proc/$1/cgroup")
		cat "/sys/fs/cgroup/$2${line##*:}/$3" 2>&1
	fi
}
id=$(timeout 60 "${P[@]}" run -d --network=none --memory 64m --pids-limit 50 "$image" /bin/sleep 1000)
cpid=$("${P[@]}" inspect -f '{{.State.Pid}}' "$id" 2>/dev/null)
expect "--pids-limit: pids.max" 50 "$(cgroup_file "$cpid" pids pids.max)"
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
	expect "--memory: memory.max" 67108864 "$(cgroup_file "$cpid" memory memory.max)"
else
	expect "--memory: memory.limit_in_bytes" 67108864 "$(cgroup_file "$cpid" memory memory.limit_in_bytes)"
fi
timeout 60 "${P[@]}" rm -f "$id" >/dev/null 2>&1

# detached: logs, stop (SIGTERM to init, which dies of it), kill
id=$(timeout 60 "${P[@]}" run -d --network=none "$image" /bin/sh -c 'echo logged; exec /bin/sleep 1000')
expect "run -d: an id" "yes" "$([ -n "$id" ] && echo yes)"
for _ in $(seq 100); do "${P[@]}" logs "$id" 2>/dev/null | grep -q logged && break; sleep 0.1; done
expect "logs" "logged" "$("${P[@]}" logs "$id" 2>&1)"
expect "ps: running" "running" "$("${P[@]}" inspect -f '{{.State.Status}}' "$id" 2>&1)"
out=$(timeout 60 "${P[@]}" exec "$id" /bin/sh -c 'echo "exec $(cat /proc/1/cmdline | tr "\0" " ")"; exit 5')
expect "exec: the process's status" "5" "$?"
contains "exec: it runs beside init" "exec /bin/sleep 1000" "$out"
expect "exec -i: stdin" "piped" "$(echo piped | timeout 60 "${P[@]}" exec -i "$id" /bin/cat)"
out=$(timeout 60 "${P[@]}" exec -t "$id" /bin/sh -c 'test -t 0 && test -t 1 && echo exec-on-a-tty; exit 3' | tr -d '\r')
expect "exec -t: a terminal" "exec-on-a-tty" "$out"
timeout 60 "${P[@]}" stop -t 20 "$id" >/dev/null 2>&1
expect "stop: exited" "exited" "$("${P[@]}" inspect -f '{{.State.Status}}' "$id" 2>&1)"
expect "stop: SIGTERM's status" "143" "$("${P[@]}" inspect -f '{{.State.ExitCode}}' "$id" 2>&1)"
"${P[@]}" rm "$id" >/dev/null 2>&1
id=$(timeout 60 "${P[@]}" run -d --network=none "$image" /bin/sleep 1000)
timeout 60 "${P[@]}" kill "$id" >/dev/null 2>&1
timeout 60 "${P[@]}" wait "$id" >/dev/null 2>&1
expect "kill: exited" "exited" "$("${P[@]}" inspect -f '{{.State.Status}}' "$id" 2>&1)"
expect "kill: SIGKILL's status" "137" "$("${P[@]}" inspect -f '{{.State.ExitCode}}' "$id" 2>&1)"
"${P[@]}" rm "$id" >/dev/null 2>&1

for _ in $(seq 100); do [ -z "$(ours)" ] && break; sleep 0.1; done
expect "no cvisor process left" "" "$(ours | tr '\n' ' ')"
"${P[@]}" rmi -f "$image" >/dev/null 2>&1
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
