#!/bin/bash
# SPDX-License-Identifier: MIT
# linux.resources as host cgroup limits: the values written at create, the
# process inside, `events --stats`, a pids limit stopping a spawn loop while
# the container still exits, and the cgroup removed by delete.
# usage: cgroup.sh CVISOR WORKDIR
set -u
cv=$1 work=$2/cgroup
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work"; mkdir -p "$work"
C=("$cv" --root "$work/state")
b=$work/bundle
pass=0 fail=0
expect() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok $1"; else fail=$((fail + 1)); echo "FAIL $1: expected '$2', got '$3'"; fi; }
if [ ! -d /sys/fs/cgroup ] || ! mkdir -p /sys/fs/cgroup/pids/cvisor-probe-$$ 2>/dev/null && ! [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	[ "${CI:-}" = true ] && { echo "FAIL no usable cgroup fs"; exit 1; }
	echo "SKIP no usable cgroup fs"; exit 77
fi
rmdir /sys/fs/cgroup/pids/cvisor-probe-$$ 2>/dev/null
"$here/rootfs/make-busybox-root.sh" "$b/rootfs" >/dev/null || exit 1
config() {	# resources-json args...
	rm -f "$b/config.json"; "${C[@]}" spec --bundle "$b" || exit 1
	python3 - "$b/config.json" "$@" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = sys.argv[3:]
c["linux"]["resources"] = json.loads(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"))
PY
}
v2=false; [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && v2=true
dir() { if $v2; then echo /sys/fs/cgroup/cvisor/$2; else echo /sys/fs/cgroup/$1/cvisor/$2; fi; }
id=cg-$$
config '{"memory":{"limit":67108864},"pids":{"limit":50},"cpu":{"quota":50000,"period":100000}}' /bin/sleep 5
timeout 60 "${C[@]}" create --bundle "$b" $id; expect "create" 0 $?
if $v2; then
	expect "memory.max" 67108864 "$(cat $(dir memory $id)/memory.max)"
	expect "cpu.max" "50000 100000" "$(cat $(dir cpu $id)/cpu.max)"
else
	expect "memory.limit_in_bytes" 67108864 "$(cat $(dir memory $id)/memory.limit_in_bytes)"
	expect "cpu.cfs_quota_us" 50000 "$(cat $(dir cpu $id)/cpu.cfs_quota_us)"
fi
expect "pids.max" 50 "$(cat $(dir pids $id)/pids.max)"
timeout 30 "${C[@]}" start $id; expect "start" 0 $?
sleep 1
cur=$("${C[@]}" events --stats $id | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["type"], d["data"]["pids"]["current"] > 0)')
expect "events --stats" "stats True" "$cur"
timeout 60 "${C[@]}" delete --force $id; expect "delete" 0 $?
expect "cgroup removed" no "$([ -e "$(dir pids $id)" ] && echo yes || echo no)"
config '{"pids":{"limit":20}}' /bin/sh -c 'i=0; while [ $i -lt 60 ]; do sleep 2 & i=$((i+1)); done; wait; echo done'
out=$(timeout 90 "${C[@]}" run --bundle "$b" $id-p 2>/dev/null); expect "pids limit: container exits" done "$out"
expect "pids limit: cgroup removed" no "$([ -e "$(dir pids $id-p)" ] && echo yes || echo no)"
# a memory limit is enforced: the sandbox (its memory file counts) is killed past it, 128+9 as runc's OOM kill
config '{"memory":{"limit":67108864}}' /bin/sh -c 'dd if=/dev/zero of=/tmp/big bs=1M count=300 2>/dev/null && echo survived'
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["root"]["readonly"]=False; json.dump(c,open(sys.argv[1],"w"))' "$b/config.json"
out=$(timeout 90 "${C[@]}" run --bundle "$b" $id-oom 2>"$work/oom.err"); st=$?
expect "memory limit: the container is killed (137)" 137 "$st"
expect "memory limit: it did not get past it" "" "$out"
expect "memory limit: a clear message" yes "$(grep -q 'out of memory under its memory limit' "$work/oom.err" && echo yes)"
# the root cgroup is never a container's (delete would kill everything in it)
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["linux"]["cgroupsPath"]="/"; json.dump(c,open(sys.argv[1],"w"))' "$b/config.json"
out=$("${C[@]}" create --bundle "$b" $id-root 2>&1)
expect "cgroupsPath / refused" "cvisor create: cgroupsPath '/': the root cgroup cannot be a container's" "$out"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
