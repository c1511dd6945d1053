#!/bin/bash
# SPDX-License-Identifier: MIT
# containerd (Debian's, with its runc shim io.containerd.runc.v2) runs
# containers with cvisor as the shim's runc binary, the way a Kubernetes
# node configured with BinaryName does (docs/kubernetes.md): an image
# imported from the busybox root, `ctr run` exit status and output,
# a detached task with exec, kill and delete, and no process of ours left.
# containerd runs from the test with its own config, root, state and
# socket under WORKDIR. The image tar is made with podman (both are in
# make deps). Without them: a skip (77) on a laptop, a failure under CI=true.
# usage: containerd.sh CVISOR WORKDIR
set -u
src=$1 work=$2/containerd
here=$(cd "$(dirname "$0")/.." && pwd)
for tool in containerd ctr containerd-shim-runc-v2 podman; do
	if ! command -v $tool >/dev/null; then
		echo "$tool is not installed (Debian packages containerd, podman)"
		[ -n "${CI:-}" ] && { echo "0 passed, 1 failed"; exit 1; }
		exit 77
	fi
done
rm -rf "$work"
mkdir -p "$work"
cv=$work/cvisor-containerd-$$
cp "$src" "$cv" || exit 1
sock=$work/containerd.sock
cat >"$work/config.toml" <<EOF
version = 2
root = "$work/root"
state = "$work/state"
[grpc]
  address = "$sock"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.cvisor]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.cvisor.options]
    BinaryName = "$cv"
EOF
. "$here/integration/checks.sh"
containerd --config "$work/config.toml" >"$work/containerd.log" 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null' EXIT
CTR=(timeout -k 5 60 ctr --address "$sock" --namespace cvisor-test)
for _ in $(seq 100); do "${CTR[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
if ! "${CTR[@]}" version >/dev/null 2>&1; then
	cat "$work/containerd.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# the image: the busybox root, through podman into a docker archive
image=localhost/cvisor-busybox:ctr
P=(podman --root "$work/podman" --runroot "$work/podman-run" --tmpdir "$work" --storage-driver vfs
   --cgroup-manager=cgroupfs --events-backend=none)
"$here/rootfs/make-busybox-root.sh" "$work/bbroot" >/dev/null || exit 1
tar -C "$work/bbroot" -cf "$work/bbroot.tar" . &&
	"${P[@]}" import "$work/bbroot.tar" "$image" >/dev/null 2>&1 &&
	"${P[@]}" save --format docker-archive -o "$work/image.tar" "$image" >/dev/null 2>&1 &&
	"${CTR[@]}" image import "$work/image.tar" >/dev/null 2>&1
expect "image imported" "$image" "$("${CTR[@]}" image ls -q 2>&1)"
R=(--runtime io.containerd.runc.v2 --runc-binary "$cv")

out=$("${CTR[@]}" run --rm "${R[@]}" "$image" c1 /bin/sh -c 'echo "hello from ctr"; exit 4' 2>&1)
expect "ctr run: the exit status" "4" "$?"
expect "ctr run: output" "hello from ctr" "$out"
# (no stdin check: ctr 1.6 does not always send the CloseIO that makes the shim close its own
# write end of the stdin fifo, containerd/nerdctl#5042, so a `cat` waits for EOF with runc too)

"${CTR[@]}" run -d "${R[@]}" "$image" c3 /bin/sleep 1000 >/dev/null 2>&1
expect "run -d: the task runs" "RUNNING" "$("${CTR[@]}" task ls 2>&1 | awk '$1 == "c3" {print $3}')"
out=$("${CTR[@]}" task exec --exec-id e1 c3 /bin/sh -c 'echo "exec in c3"; exit 6' 2>&1)
expect "task exec: the status" "6" "$?"
expect "task exec: output" "exec in c3" "$out"
"${CTR[@]}" task kill -s SIGKILL c3 >/dev/null 2>&1
for _ in $(seq 100); do
	[ "$("${CTR[@]}" task ls 2>&1 | awk '$1 == "c3" {print $3}')" = STOPPED ] && break
	sleep 0.1
done
expect "task kill: stopped" "STOPPED" "$("${CTR[@]}" task ls 2>&1 | awk '$1 == "c3" {print $3}')"
"${CTR[@]}" task delete c3 >/dev/null 2>&1
"${CTR[@]}" container delete c3 >/dev/null 2>&1
expect "deleted" "" "$("${CTR[@]}" container ls -q 2>&1)"

for _ in $(seq 100); do [ -z "$(ours)" ] && break; sleep 0.1; done
expect "no cvisor process left" "" "$(ours | tr '\n' ' ')"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
