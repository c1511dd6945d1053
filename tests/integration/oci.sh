#!/bin/bash
# SPDX-License-Identifier: MIT
# The OCI lifecycle driven as runc's callers drive it (create, start, state,
# kill, delete, run, list, spec) over a busybox bundle: exit statuses, the
# state JSON, signals relayed to the container's init, races on one
# container, and bad input (malformed, truncated or wrong config.json, a
# missing root or bundle, bad ids): each a clear error naming the problem,
# a non-zero exit, and no state or process left behind.
#
# Processes are found by their executable: a private copy of cvisor, so
# tests running in parallel are never counted. Every wait is bounded.
# usage: oci.sh CVISOR WORKDIR
set -u
src=$1 work=$2/oci-lifecycle-work	# not $2/oci: meson builds tests/oci there
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work"
mkdir -p "$work"
cv=$work/cvisor-oci-$$
cp "$src" "$cv" || exit 1
state=$work/state
C=("$cv" --root "$state")
bundle=$work/bundle
"$here/rootfs/make-busybox-root.sh" "$bundle/rootfs" >/dev/null || exit 1
. "$here/integration/checks.sh"
# A config.json for ARGS... (JSON strings) in $bundle, from `cvisor spec` with python3 edits.
config() {
	rm -f "$bundle/config.json"
	"${C[@]}" spec --bundle "$bundle" || return 1
	python3 - "$bundle/config.json" "$@" <<'EOF'
import json, sys
path, args = sys.argv[1], sys.argv[2:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = args
c["hostname"] = "oci-test"
c["annotations"] = {"org.example.test": "yes"}
json.dump(c, open(path, "w"), indent=1)
EOF
}
status_of() { "${C[@]}" state "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null; }
wait_status() {	# id want: bounded wait until the status is want
	local k=0
	while [ "$(status_of "$1")" != "$2" ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
	status_of "$1"
}

# ---- spec, version ----
contains "version" "cvisor version" "$("${C[@]}" --version)"
config /bin/sh -c 'echo "out $(hostname)"; echo err >&2; exit 7' || bad "spec"
contains "spec refuses to overwrite" "exists; remove it first" "$("${C[@]}" spec --bundle "$bundle" 2>&1)"

# ---- create, state, start, delete ----
# (the container's process inherits create's stdio, as runc's does: a file, not a $(...) pipe)
"${C[@]}" create --bundle "$bundle" --pid-file "$work/pid" c1 >"$work/c1.out" 2>&1
expect "create: exit 0" "0" "$?"
expect "create: silent" "" "$(cat "$work/c1.out")"
pid=$(cat "$work/pid" 2>/dev/null)
st=$("${C[@]}" state c1)
python3 - "$st" "$pid" "$bundle" <<'EOF' && ok "state: the spec's fields" || bad "state: $st"
import json, sys
s, pid, bundle = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
assert s["ociVersion"].startswith("1."), s
assert s["id"] == "c1" and s["status"] == "created" and s["pid"] == pid, s
assert s["bundle"] == bundle and s["annotations"] == {"org.example.test": "yes"}, s
EOF
expect "list -q" "c1" "$("${C[@]}" list -q)"
contains "create: the same id twice" "container 'c1' already exists" "$("${C[@]}" create --bundle "$bundle" c1 2>&1)"
contains "delete of a created container needs --force" "is created; stop it first" "$("${C[@]}" delete c1 2>&1)"
"${C[@]}" start c1 >"$work/start.out" 2>&1
expect "start: exit 0" "0" "$?"
expect "the container ran, then stopped" "stopped" "$(wait_status c1 stopped)"
expect "the container's output went to create's stdio" "out oci-test err" "$(tr '\n' ' ' <"$work/c1.out" | sed 's/ $//')"
contains "start of a stopped container" "is stopped, not created" "$("${C[@]}" start c1 2>&1)"
contains "kill of a stopped container" "there is no process to signal" "$("${C[@]}" kill c1 TERM 2>&1)"
"${C[@]}" delete c1
expect "delete: exit 0" "0" "$?"
expect "delete: nothing left in the state root" "" "$(ls -A "$state")"
contains "state of a deleted container" "container 'c1' does not exist" "$("${C[@]}" state c1 2>&1)"

# ---- run: exit status, stdio ----
out=$("${C[@]}" run --bundle "$bundle" r1 2>"$work/err")
expect "run: the container's exit status" "7" "$?"
expect "run: stdout, hostname from config.json" "out oci-test" "$out"
expect "run: stderr" "err" "$(cat "$work/err")"
expect "run: deletes the container after" "" "$(ls -A "$state")"
config /bin/sh -c 'read line; echo "got $line"' || bad "spec"
expect "run: stdin" "got hello" "$(echo hello | "${C[@]}" run --bundle "$bundle" r2)"
none_left "run"

# ---- process.user, umask, rlimits, noNewPrivileges reach the container's init ----
config /bin/sh -c 'echo "id $(id -u) $(id -g) $(id -G)"; echo "umask $(umask)"; echo "nofile $(ulimit -n) $(ulimit -Hn)"; grep NoNewPrivs /proc/self/status'
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); p=c["process"]; p["user"]={"uid":1234,"gid":567,"umask":63,"additionalGids":[567,20,30]}; p["rlimits"]=[{"type":"RLIMIT_NOFILE","soft":300,"hard":400}]; p["noNewPrivileges"]=True; json.dump(c,open(sys.argv[1],"w"))' "$bundle/config.json"
out=$("${C[@]}" run --bundle "$bundle" u0 2>&1)
contains "process.user: uid, gid, additionalGids" "id 1234 567 567 20 30" "$out"
contains "process.user.umask" "umask 0077" "$out"
contains "process.rlimits" "nofile 300 400" "$out"
contains "process.noNewPrivileges" "NoNewPrivs:	1" "$out"

# ---- mounts: bind mounts of host directories (rw, ro) through the Gofer, tmpfs, root.readonly ----
mkdir -p "$work/vol-rw" "$work/vol-ro" && echo "from host" >"$work/vol-ro/file" && rm -f "$work/vol-rw/"*
config /bin/sh -c 'echo written >/data/out; cat /ro/file; echo x >/ro/new 2>&1 || echo ro-refused;
	echo t >/scratch/t && echo "tmpfs $(stat -c %a /scratch)"; echo y >/rootfile 2>/dev/null || echo root-refused;
	echo z >/tmp/z 2>/dev/null && echo tmp-written'
python3 - "$bundle/config.json" "$work" <<'EOF'
import json, sys
path, work = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["root"]["readonly"] = True
c["mounts"] += [
    {"destination": "/data", "type": "bind", "source": work + "/vol-rw", "options": ["rbind", "rw"]},
    {"destination": "/ro", "type": "bind", "source": work + "/vol-ro", "options": ["rbind", "ro"]},
    {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=1770"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1777"]},
]
json.dump(c, open(path, "w"))
EOF
out=$("${C[@]}" run --bundle "$bundle" m1 2>&1)
expect "mounts: a rw bind mount writes through to the host" "written" "$(cat "$work/vol-rw/out" 2>&1)"
contains "mounts: a ro bind mount reads" "from host" "$out"
contains "mounts: a ro bind mount refuses writes" "ro-refused" "$out"
expect "mounts: the ro source is unchanged" "file" "$(ls "$work/vol-ro")"
contains "mounts: a tmpfs with its mode" "tmpfs 1770" "$out"
contains "root.readonly: writes to the root refused" "root-refused" "$out"
contains "root.readonly: a tmpfs over it is writable" "tmp-written" "$out"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["mounts"].append({"destination":"/x","type":"bind","source":"/nonexistent-src","options":["rbind"]}); json.dump(c,open(sys.argv[1],"w"))' "$bundle/config.json"
contains "mounts: a missing bind source" "bind source '/nonexistent-src' for /x: No such file or directory" "$("${C[@]}" create --bundle "$bundle" m2 2>&1)"
expect "mounts: nothing left after the refusal" "" "$(ls -A "$state")"
none_left "mounts"

# ---- linux.seccomp: libseccomp compiles it, the Sentry enforces it on init and on exec'd processes ----
config /bin/sh -c 'mkdir /tmp/blocked 2>&1 || echo mkdir-refused; echo ready; while :; do sleep 0.05; done'
python3 - "$bundle/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["root"]["readonly"] = False
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [{"names": ["mkdir", "mkdirat", "no_such_syscall_name"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                 {"names": ["sync"], "action": "SCMP_ACT_KILL_PROCESS"},
                 {"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
                  "args": [{"index": 2, "value": 511, "op": "SCMP_CMP_EQ"}]},
                 {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
                  "args": [{"index": 1, "value": 511, "op": "SCMP_CMP_EQ"}]}]}
json.dump(c, open(sys.argv[1], "w"))
EOF
"${C[@]}" run --bundle "$bundle" --detach s1 >"$work/s1.out" 2>&1
k=0; while ! grep -q ready "$work/s1.out" && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
contains "seccomp: init's mkdir refused (errnoRet 1)" "mkdir-refused" "$(cat "$work/s1.out")"
contains "seccomp: an exec'd process too" "Operation not permitted" "$("${C[@]}" exec s1 /bin/mkdir /tmp/b 2>&1)"
expect "seccomp: an argument condition (mode 0777 refused)" "refused 0755-ok" \
	"$("${C[@]}" exec s1 /bin/sh -c 'touch /tmp/f; chmod 777 /tmp/f 2>/dev/null || printf "refused "; chmod 755 /tmp/f && echo 0755-ok' 2>&1)"
"${C[@]}" exec s1 /bin/sync
expect "seccomp: SCMP_ACT_KILL_PROCESS kills with SIGSYS (128+31)" "159" "$?"
"${C[@]}" delete --force s1
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["linux"]["seccomp"]["syscalls"][0]["action"]="SCMP_ACT_NOTIFY"; json.dump(c,open(sys.argv[1],"w"))' "$bundle/config.json"
contains "seccomp: SCMP_ACT_NOTIFY refused clearly" "SCMP_ACT_NOTIFY is not supported" "$("${C[@]}" create --bundle "$bundle" s2 2>&1)"
expect "seccomp: nothing left after the refusal" "" "$(ls -A "$state")"
none_left "seccomp"

# ---- kill: relayed to init; --all; SIGKILL ----
config /bin/sh -c 'trap "echo usr1; exit 5" USR1; trap "echo term; exit 3" TERM; echo ready; while :; do sleep 0.05; done'
"${C[@]}" run --bundle "$bundle" k1 >"$work/k1.out" 2>&1 &
runner=$!
k=0; while ! grep -q ready "$work/k1.out" 2>/dev/null && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
expect "kill: the container is running" "running" "$(status_of k1)"
"${C[@]}" kill k1 USR1
expect "kill USR1: exit 0" "0" "$?"
wait "$runner"
expect "kill USR1: init's trap ran, its status is run's" "5" "$?"
contains "kill USR1: init's output" "usr1" "$(cat "$work/k1.out")"
"${C[@]}" run --bundle "$bundle" --detach k2 >"$work/k2.out" 2>&1
expect "run --detach: exit 0" "0" "$?"
k=0; while ! grep -q ready "$work/k2.out" 2>/dev/null && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
# two kills at once: both delivered or refused cleanly, never a hang
"${C[@]}" kill k2 TERM & "${C[@]}" kill k2 SIGTERM & wait
expect "two kills at once: the container stopped" "stopped" "$(wait_status k2 stopped)"
contains "two kills: init's trap ran" "term" "$(cat "$work/k2.out")"
"${C[@]}" delete k2
"${C[@]}" run --bundle "$bundle" --detach k3 >/dev/null 2>&1
"${C[@]}" kill k3 KILL
expect "kill KILL: stopped" "stopped" "$(wait_status k3 stopped)"
"${C[@]}" delete k3
contains "kill: an unknown signal" "unknown signal 'SIGNOPE'" "$("${C[@]}" kill k3 SIGNOPE 2>&1)"
# a created container, killed before start
"${C[@]}" create --bundle "$bundle" k4 >/dev/null 2>&1
"${C[@]}" kill k4 TERM
expect "kill before start: stopped" "stopped" "$(wait_status k4 stopped)"
contains "start after the kill" "is stopped, not created" "$("${C[@]}" start k4 2>&1)"
"${C[@]}" delete k4
none_left "kill"

# ---- exec: a new process in the running sandbox, with our stdio; its status is ours ----
config /bin/sh -c 'echo init-up; while :; do sleep 0.05; done'
"${C[@]}" run --bundle "$bundle" --detach x1 >/dev/null 2>&1
expect "exec: the container runs" "running" "$(wait_status x1 running)"
out=$("${C[@]}" exec x1 /bin/sh -c 'echo "exec $(id -u) $PWD"; exit 4')
expect "exec: the process's exit status" "4" "$?"
expect "exec: stdout" "exec 0 /" "$out"
expect "exec: stdin, --cwd, --env" "typed y /tmp" "$(echo typed | "${C[@]}" exec --cwd /tmp --env X=y x1 /bin/sh -c 'read l; echo "$l $X $PWD"')"
expect "exec: --user" "1234 99" "$("${C[@]}" exec --user 1234:99 x1 /bin/sh -c 'echo $(id -u) $(id -g)')"
contains "exec: a missing program" "cannot start '/nope' in 'x1': No such file or directory" "$("${C[@]}" exec x1 /nope 2>&1)"
contains "exec: the sandbox's processes" "while :" "$("${C[@]}" exec x1 /bin/ps 2>&1)"
printf '{"user": {"uid": 7, "gid": 8}, "args": ["/bin/sh", "-c", "echo pj $(id -u) $FOO; exit 6"], "env": ["FOO=bar"], "cwd": "/"}' >"$work/process.json"
out=$("${C[@]}" exec --process "$work/process.json" x1)
expect "exec --process: status" "6" "$?"
expect "exec --process: user, env" "pj 7 bar" "$out"
echo '{"args": 5}' >"$work/bad-process.json"
contains "exec --process: a bad process.json" "process.user: missing" "$("${C[@]}" exec --process "$work/bad-process.json" x1 2>&1)"
"${C[@]}" exec --detach --pid-file "$work/exec.pid" x1 /bin/sh -c 'echo detached-ran; exit 9' >"$work/exec-d.out" 2>&1
expect "exec --detach: exit 0" "0" "$?"
expect "exec --detach: a pid file" "yes" "$([ -s "$work/exec.pid" ] && echo yes)"
k=0; while ! grep -q detached-ran "$work/exec-d.out" && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
expect "exec --detach: the process ran" "detached-ran" "$(cat "$work/exec-d.out")"
# a signal to exec is passed on: the process dies of it, exec's status says so
"${C[@]}" exec x1 /bin/sleep 100 &
execer=$!
k=0; until "${C[@]}" exec x1 /bin/ps 2>/dev/null | grep -q "sleep 100" || [ $k -ge 100 ]; do sleep 0.05; k=$((k + 1)); done
kill -TERM "$execer"
wait "$execer"
expect "exec: SIGTERM passed on, 128+15" "143" "$?"
"${C[@]}" delete --force x1
contains "exec in a deleted container" "does not exist" "$("${C[@]}" exec x1 /bin/true 2>&1)"
"${C[@]}" create --bundle "$bundle" x2 >/dev/null 2>&1
contains "exec in a created container" "is created, not running" "$("${C[@]}" exec x2 /bin/true 2>&1)"
"${C[@]}" delete --force x2
none_left "exec"

# ---- delete --force of a running container; delete racing start ----
config /bin/sh -c 'while :; do sleep 0.05; done'
"${C[@]}" run --bundle "$bundle" --detach f1 >/dev/null 2>&1
expect "delete --force: running before" "running" "$(status_of f1)"
"${C[@]}" delete --force f1
expect "delete --force: exit 0" "0" "$?"
expect "delete --force: state gone" "" "$(ls -A "$state")"
"${C[@]}" create --bundle "$bundle" f2 >/dev/null 2>&1
"${C[@]}" start f2 >/dev/null 2>&1 & "${C[@]}" delete --force f2 & wait
expect "delete racing start: state gone" "" "$(ls -A "$state")"
none_left "delete --force"
# a create killed half-way: the directory without state.json
mkdir -p "$state/half"
contains "state of a half-made container" "still being created, or its create failed" "$("${C[@]}" state half 2>&1)"
"${C[@]}" delete half
expect "delete of a half-made container" "" "$(ls -A "$state")"

# ---- a terminal: --console-socket gets the pty master (SCM_RIGHTS), the container its slave ----
config /bin/sh -c 'test -t 0 && test -t 1 && echo isatty; stty size; read line; echo "line $line"'
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["process"]["terminal"]=True; c["process"]["consoleSize"]={"height":33,"width":101}; json.dump(c,open(sys.argv[1],"w"))' "$bundle/config.json"
contains "terminal without --console-socket" "--console-socket is needed" "$("${C[@]}" create --bundle "$bundle" t0 2>&1)"
python3 - "$work/console.sock" "$work/console.out" <<'EOF' &
import os, socket, sys, time
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(1); srv.settimeout(60)
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 64, 1)
master = fds[0]
out, deadline = b"", time.time() + 60
os.write(master, b"typed\n")
while b"line typed" not in out and time.time() < deadline:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
open(sys.argv[2], "wb").write(out)
EOF
receiver=$!
k=0; while [ ! -S "$work/console.sock" ] && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
"${C[@]}" create --bundle "$bundle" --console-socket "$work/console.sock" t1 >/dev/null 2>&1
expect "create --console-socket: exit 0" "0" "$?"
"${C[@]}" start t1
wait "$receiver"
console=$(tr -d '\r' <"$work/console.out" 2>/dev/null)
contains "terminal: stdin and stdout are the pty" "isatty" "$console"
contains "terminal: consoleSize" "33 101" "$console"
contains "terminal: input typed on the master reaches the container" "line typed" "$console"
expect "terminal: the container ends" "stopped" "$(wait_status t1 stopped)"
"${C[@]}" delete t1
none_left "terminal"

# ---- bad input: a clear error naming the problem, exit non-zero, nothing left ----
bad_input() {	# name needle [create args...]
	local name=$1 needle=$2 out
	shift 2
	out=$("${C[@]}" create "$@" 2>&1)
	local rc=$?
	if [ $rc -ne 0 ]; then ok "$name: exit $rc"; else bad "$name: exit 0"; fi
	contains "$name: the message" "$needle" "$out"
	expect "$name: no state left" "" "$(ls -A "$state" 2>/dev/null)"
}
config /bin/true
cp "$bundle/config.json" "$work/good.json"
bad_input "a bundle that does not exist" "bundle '$work/nope': No such file or directory" --bundle "$work/nope" b1
echo '{"ociVersion": "1.0.2", "root": ' >"$bundle/config.json"
bad_input "a truncated config.json" "config.json: not valid JSON at line" --bundle "$bundle" b2
echo 'not json' >"$bundle/config.json"
bad_input "a malformed config.json" "config.json: not valid JSON" --bundle "$bundle" b3
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["process"]["args"]="sh"; json.dump(c,open(sys.argv[2],"w"))' \
	"$work/good.json" "$bundle/config.json"
bad_input "a wrong type" "process.args: expected an array of strings" --bundle "$bundle" b4
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["root"]["path"]="missing"; json.dump(c,open(sys.argv[2],"w"))' \
	"$work/good.json" "$bundle/config.json"
bad_input "a missing root" "root.path '$bundle/missing': No such file or directory" --bundle "$bundle" b5
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["linux"]["namespaces"].append({"type":"bogus"}); json.dump(c,open(sys.argv[2],"w"))' \
	"$work/good.json" "$bundle/config.json"
bad_input "an unknown namespace" "linux.namespaces[6]: unknown namespace type 'bogus'" --bundle "$bundle" b6
rm "$bundle/config.json"
bad_input "no config.json" "config.json: cannot open: No such file or directory" --bundle "$bundle" b7
cp "$work/good.json" "$bundle/config.json"
bad_input "an id with a slash" "invalid container id 'a/b'" --bundle "$bundle" a/b
# an unknown property is ignored, as the spec requires
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["notAField"]={"x":1}; c["process"]["alsoNot"]=2; json.dump(c,open(sys.argv[2],"w"))' \
	"$work/good.json" "$bundle/config.json"
"${C[@]}" run --bundle "$bundle" u1 >/dev/null 2>&1
expect "unknown properties are ignored" "0" "$?"
none_left "bad input"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
