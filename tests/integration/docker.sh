#!/bin/bash
# SPDX-License-Identifier: MIT
# dockerd (Debian's docker.io) with cvisor as an extra runtime
# (`--runtime=cvisor`): an image loaded from the busybox root, exit status,
# stdout, -i, -e, -w, -u, a detached container with logs, exec and stop,
# and no process of ours left. dockerd runs from the test with its own
# data root, exec root, socket and containerd namespace under WORKDIR, no
# iptables and no bridge, so it touches no other state.
# When dockerd cannot start here, the test says why and skips (77); under
# CI=true that is a failure. Without docker.io: the same.
# usage: docker.sh CVISOR WORKDIR
set -u
src=$1 work=$2/docker
here=$(cd "$(dirname "$0")/.." && pwd)
skip() {
	echo "SKIP: $1"
	[ -n "${CI:-}" ] && { echo "0 passed, 1 failed"; exit 1; }
	exit 77
}
docker=/usr/bin/docker	# docker.io's client, whatever else is first in PATH
for tool in dockerd "$docker" podman; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (Debian packages docker.io, podman)"
done
rm -rf "$work"
mkdir -p "$work"
cv=$work/cvisor-docker-$$
cp "$src" "$cv" || exit 1
printf '{ "runtimes": { "cvisor": { "path": "%s" } } }\n' "$cv" >"$work/daemon.json"
sock=$work/docker.sock
dockerd --config-file "$work/daemon.json" --data-root "$work/data" --exec-root "$work/exec" \
	--pidfile "$work/docker.pid" -H "unix://$sock" --iptables=false --ip6tables=false --bridge=none \
	--storage-driver vfs --containerd-namespace cvisor-docker-test \
	--containerd-plugins-namespace cvisor-docker-test-plugins >"$work/dockerd.log" 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null' EXIT
D=(timeout -k 5 60 "$docker" -H "unix://$sock")
for _ in $(seq 150); do "${D[@]}" version >/dev/null 2>&1 && break; kill -0 $daemon 2>/dev/null || break; sleep 0.1; done
if ! "${D[@]}" version >/dev/null 2>&1; then
	tail -5 "$work/dockerd.log"
	skip "dockerd did not start here (its log above)"
fi
. "$here/integration/checks.sh"

image=localhost/cvisor-busybox:docker
P=(podman --root "$work/podman" --runroot "$work/podman-run" --tmpdir "$work" --storage-driver vfs
   --cgroup-manager=cgroupfs --events-backend=none)
"$here/rootfs/make-busybox-root.sh" "$work/bbroot" >/dev/null || exit 1
tar -C "$work/bbroot" -cf "$work/bbroot.tar" . &&
	"${P[@]}" import "$work/bbroot.tar" "$image" >/dev/null 2>&1 &&
	"${P[@]}" save --format docker-archive -o "$work/image.tar" "$image" >/dev/null 2>&1 &&
	"${D[@]}" load -i "$work/image.tar" >/dev/null 2>&1
expect "image loaded" "$image" "$("${D[@]}" images --format '{{.Repository}}:{{.Tag}}' 2>&1)"
run() { "${D[@]}" run --rm --runtime=cvisor --network=none "$@"; }

out=$(run "$image" /bin/sh -c 'echo "hello from docker"; exit 6' 2>&1)
expect "run: the exit status" "6" "$?"
expect "run: stdout" "hello from docker" "$out"
expect "run -i: stdin" "piped" "$(echo piped | run -i "$image" /bin/cat 2>&1)"
expect "run -e -w -u" "bar /tmp 1234" "$(run -e FOO=bar -w /tmp -u 1234 "$image" /bin/sh -c 'echo $FOO $PWD $(id -u)' 2>&1)"
id=$("${D[@]}" run -d --runtime=cvisor --network=none "$image" /bin/sh -c 'echo logged; exec /bin/sleep 1000')
for _ in $(seq 100); do "${D[@]}" logs "$id" 2>/dev/null | grep -q logged && break; sleep 0.1; done
expect "logs" "logged" "$("${D[@]}" logs "$id" 2>&1)"
expect "exec" "exec ran" "$("${D[@]}" exec "$id" /bin/sh -c 'echo exec ran' 2>&1)"
"${D[@]}" stop -t 20 "$id" >/dev/null 2>&1
expect "stop: SIGTERM's status" "143" "$("${D[@]}" inspect -f '{{.State.ExitCode}}' "$id" 2>&1)"
"${D[@]}" rm "$id" >/dev/null 2>&1

for _ in $(seq 100); do [ -z "$(ours)" ] && break; sleep 0.1; done
expect "no cvisor process left" "" "$(ours | tr '\n' ' ')"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
