#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the busybox root and run the busybox scripts in it: in a cvisor
# sandbox (on the default platform or --platform=NAME), or natively
# (--native) as the reference.
# usage: busybox.sh CVISOR WORKDIR [--native | --platform=NAME]
set -eu
cvisor=$1 work=$2 mode=${3:-} platform=
case $mode in --platform=*) platform=${mode#--platform=} mode= ;; esac
# systrap-nopatch: systrap with --syscall-patching=false
flags=${platform:+--platform=${platform%-nopatch} }
case $platform in *-nopatch) flags="$flags--syscall-patching=false " ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$work/busybox-root${mode:+-native}${platform:+-$platform}
"$here/../rootfs/make-busybox-root.sh" "$root" >/dev/null || exit 77
if [ "$mode" = --native ]; then
	exec "$here/busybox/run.sh" --root "$root" --native
fi
exec "$here/busybox/run.sh" --root "$root" --sandbox "$cvisor ${flags}do --root $root --"
