#!/bin/bash
# SPDX-License-Identifier: MIT
# OCI hooks, features, ps, pause and resume over a busybox bundle: hooks
# run in the spec's order with the state on stdin, a failing or overlong
# create hook fails create (naming it) and leaves nothing behind; features
# is valid JSON; ps lists the host processes; a paused container makes no
# progress and a resumed one goes on. Every wait is bounded.
# usage: oci_misc.sh CVISOR WORKDIR
set -u
src=$1 work=$2/oci_misc
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
cv=$work/cvisor-misc-$$
cp "$src" "$cv" || exit 1
state=$work/state
C=("$cv" --root "$state")
bundle=$work/bundle
"$here/rootfs/make-busybox-root.sh" "$bundle/rootfs" >/dev/null || exit 1
. "$here/integration/checks.sh"
status_of() { "${C[@]}" state "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null; }
wait_status() {
	local k=0
	while [ "$(status_of "$1")" != "$2" ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
	status_of "$1"
}

# A hook recording its kind (in order) and its stdin; HOOK_FAIL=kind makes that one fail, HOOK_SLEEP one hang.
hook=$work/hook.sh
cat >"$hook" <<HOOK
#!/bin/sh
echo "\$1" >>"$work/order"
cat >"$work/\$1.json"
[ "\$HOOK_FAIL" = "\$1" ] && exit 3
[ "\$HOOK_SLEEP" = "\$1" ] && exec sleep 30
exit 0
HOOK
chmod +x "$hook"

# config ENV_FAIL ENV_SLEEP TIMEOUT ARGS...
config() {
	rm -f "$bundle/config.json"
	"${C[@]}" spec --bundle "$bundle" || return 1
	python3 - "$bundle/config.json" "$hook" "$@" <<'PY'
import json, sys
path, hook, fail, slp, timeout, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = args
c["annotations"] = {"org.example.misc": "yes"}
env = ["HOOK_FAIL=" + fail, "HOOK_SLEEP=" + slp]
c["hooks"] = {k: [dict(path=hook, args=["hook", k], env=env, **({"timeout": timeout} if timeout else {}))]
              for k in ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]}
json.dump(c, open(path, "w"), indent=1)
PY
}

# ---- features ----
"${C[@]}" features | python3 -c '
import json, sys
f = json.load(sys.stdin)
assert f["ociVersionMin"] == "1.0.0" and f["ociVersionMax"] == "1.2.0", f
assert f["hooks"] == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"], f
assert "CAP_CHOWN" in f["linux"]["capabilities"] and "pid" in f["linux"]["namespaces"], f
assert f["linux"]["seccomp"]["enabled"] and "SCMP_ACT_ERRNO" in f["linux"]["seccomp"]["actions"], f
assert "io.github.cvisor.platform" in f["annotations"], f
' && ok "features: JSON with hooks, caps, seccomp" || bad "features"

# ---- hooks in order, with the state ----
config "" "" 0 /bin/sh -c 'echo ran' || bad "spec"
rm -f "$work/order"
"${C[@]}" create --bundle "$bundle" h1 >"$work/h1.out" 2>&1
expect "create with hooks: exit 0" "0" "$?"
expect "create hooks in order" "prestart createRuntime createContainer" "$(tr '\n' ' ' <"$work/order" | sed 's/ $//')"
python3 - "$work" "$bundle" <<'PY' && ok "create hooks: state on stdin" || bad "create hooks: state $(cat "$work/createRuntime.json")"
import json, sys
w, b = sys.argv[1], sys.argv[2]
for k in ["prestart", "createRuntime", "createContainer"]:
    s = json.load(open(w + "/" + k + ".json"))
    assert s["id"] == "h1" and s["status"] == "creating" and s["pid"] > 0 and s["bundle"] == b, s
    assert s["annotations"] == {"org.example.misc": "yes"} and s["ociVersion"].startswith("1."), s
PY
"${C[@]}" start h1 >>"$work/h1.out" 2>&1
expect "start with hooks: exit 0" "0" "$?"
expect "the container ran" "stopped" "$(wait_status h1 stopped)"
"${C[@]}" delete h1
expect "delete: exit 0" "0" "$?"
expect "all hooks in order" "prestart createRuntime createContainer startContainer poststart poststop" \
	"$(tr '\n' ' ' <"$work/order" | sed 's/ $//')"
python3 - "$work" <<'PY' && ok "start, poststart, poststop: their states" || bad "start hooks: states"
import json, sys
w = sys.argv[1]
want = {"startContainer": "created", "poststart": "running", "poststop": "stopped"}
for k, v in want.items():
    s = json.load(open(w + "/" + k + ".json"))
    assert s["id"] == "h1" and s["status"] == v, (k, s)
PY
expect "delete left nothing" "" "$(ls -A "$state")"
none_left "hooks"

# ---- a failing create hook ----
for k in prestart createRuntime createContainer; do
	config "$k" "" 0 /bin/sh -c 'echo ran' || bad "spec"
	out=$("${C[@]}" create --bundle "$bundle" f1 2>&1)
	expect "failing $k: create fails" "1" "$?"
	contains "failing $k: the error names it" "$k hook 0 ($hook) failed: exit status 3" "$out"
	expect "failing $k: no state left" "" "$(ls -A "$state")"
	none_left "failing $k"
done
config startContainer "" 0 /bin/sh -c 'echo ran' || bad "spec"
"${C[@]}" create --bundle "$bundle" f2 >"$work/f2.out" 2>&1
contains "failing startContainer: start fails" "startContainer hook 0" "$("${C[@]}" start f2 2>&1)"
expect "failing startContainer: the container was not run" "stopped" "$(wait_status f2 stopped)"
expect "failing startContainer: it did not run" "" "$(grep ran "$work/f2.out")"
"${C[@]}" delete f2
config poststart "" 0 /bin/sh -c 'echo ran' || bad "spec"
"${C[@]}" run --bundle "$bundle" f3 >"$work/f3.out" 2>&1
expect "failing poststart: only a warning" "0" "$?"
none_left "failing start hooks"

# ---- a hook timeout ----
config "" createRuntime 1 /bin/sh -c 'echo ran' || bad "spec"
t0=$(date +%s)
out=$("${C[@]}" create --bundle "$bundle" t1 2>&1)
expect "hook timeout: create fails" "1" "$?"
contains "hook timeout: the error says so" "createRuntime hook 0 ($hook) timed out after 1 s" "$out"
[ $(($(date +%s) - t0)) -lt 20 ] && ok "hook timeout: enforced" || bad "hook timeout: create took $(($(date +%s) - t0)) s"
expect "hook timeout: no state left" "" "$(ls -A "$state")"
none_left "hook timeout"

# ---- ps, pause, resume ----
config "" "" 0 /bin/sh -c 'while :; do echo tick; sleep 0.05; done' || bad "spec"
"${C[@]}" create --bundle "$bundle" p1 >"$work/p1.out" 2>&1 && "${C[@]}" start p1
expect "counter: running" "running" "$(status_of p1)"
k=0; while [ "$(wc -l <"$work/p1.out")" -lt 3 ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
pids=$("${C[@]}" ps --format json p1)
python3 -c 'import json,sys; p=json.loads(sys.argv[1]); assert len(p) > 1 and all(isinstance(x,int) for x in p), p' "$pids" \
	&& ok "ps json: more than one pid" || bad "ps json: $pids"
table=$("${C[@]}" ps p1)
contains "ps table: a ps -ef header" "PID" "$(echo "$table" | head -1)"
# the guest's loop starts a `sleep` (a host stub) every 50 ms: the tree may differ by those between the calls
n_json=$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])))' "$pids")
n_table=$(echo "$table" | tail -n +2 | wc -l)
expect "ps table: one line per pid (give or take the loop's sleep)" yes \
	"$([ $((n_table - n_json)) -le 2 ] && [ $((n_json - n_table)) -le 2 ] && [ "$n_table" -gt 1 ] && echo yes)"
"${C[@]}" pause p1
expect "pause: exit 0" "0" "$?"
expect "pause: status paused" "paused" "$(status_of p1)"
contains "exec refuses a paused container" "is paused, not running" "$("${C[@]}" exec p1 /bin/true 2>&1)"
contains "pause twice" "is paused, not running" "$("${C[@]}" pause p1 2>&1)"
sleep 0.3
n1=$(wc -l <"$work/p1.out"); sleep 1; n2=$(wc -l <"$work/p1.out")
expect "paused: no progress" "$n1" "$n2"
"${C[@]}" resume p1
expect "resume: exit 0" "0" "$?"
expect "resume: status running" "running" "$(status_of p1)"
k=0; while [ "$(wc -l <"$work/p1.out")" -le "$n2" ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
[ "$(wc -l <"$work/p1.out")" -gt "$n2" ] && ok "resumed: progress again" || bad "resumed: no progress"
contains "resume of a running container" "is running, not paused" "$("${C[@]}" resume p1 2>&1)"
"${C[@]}" pause p1
"${C[@]}" delete --force p1
expect "delete --force of a paused container" "0" "$?"
expect "nothing left in the state root" "" "$(ls -A "$state")"
none_left "pause"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
