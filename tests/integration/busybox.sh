#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the busybox root and run the busybox scripts in it: in a cvisor
# sandbox, or natively (--native) as the reference.
# usage: busybox.sh CVISOR WORKDIR [--native]
set -eu
cvisor=$1 work=$2 mode=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$work/busybox-root${mode:+-native}
"$here/../rootfs/make-busybox-root.sh" "$root" >/dev/null || exit 77
if [ "$mode" = --native ]; then
	exec "$here/busybox/run.sh" --root "$root" --native
fi
exec "$here/busybox/run.sh" --root "$root" --sandbox "$cvisor do --root $root --"
