# SPDX-License-Identifier: MIT
# Sourced by tests that measure a sandbox's memory from the host.

# The processes under $1 (the sandbox: runtime, Sentry, Gofer, stubs).
descendants() {
	local p
	# pid and ppid from /proc/*/stat (the command name may hold spaces: cut past its ')').
	for p in $(cat /proc/[0-9]*/stat 2>/dev/null |
		   sed -n 's/^\([0-9]*\) .*) . \([0-9]*\) .*/\1 \2/p' | awk -v t="$1" '$2 == t { print $1 }'); do
		echo "$p"
		descendants "$p"
	done
}

# kB the memory file of the sandbox under $1 holds on the host (-1 if no process has it open).
memfile_kb() {
	local p f kb=-1
	for p in $(descendants "$1"); do
		for f in /proc/"$p"/fd/*; do
			case $(readlink "$f" 2>/dev/null) in
			*cvisor-memory*) kb=$(( $(stat -L -c %b "$f") / 2 )); break 2 ;;
			esac
		done
	done
	echo "$kb"
}
