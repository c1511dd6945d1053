# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2154 # $cv is the sourcing script's
# Sourced by the integration tests that drive cvisor as an OCI runtime (oci.sh,
# oci_misc.sh, podman.sh, containerd.sh, docker.sh): counted checks, and the
# host processes of their private copy of cvisor, $cv.
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
expect() {	# name want got
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected '$2', got '$3'"; fi
}
contains() {	# name needle haystack
	case $3 in *"$2"*) ok "$1" ;; *) bad "$1: '$3' does not contain '$2'" ;; esac
}
# The pids of live processes running $cv (supervisors, Sentries, Gofers, stubs).
ours() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$cv" ] && echo "${p#/proc/}"
	done
}
# Dying processes take a moment to go: wait (bounded) until none of ours is left.
none_left() {	# name
	local k=0
	while [ -n "$(ours)" ] && [ $k -lt 100 ]; do sleep 0.1; k=$((k + 1)); done
	expect "$1: no process left" "" "$(ours | tr '\n' ' ')"
}
