#!/bin/sh
# SPDX-License-Identifier: MIT
# make check runs the benchmark suite once in quick mode: it must complete
# and report every benchmark, for native and cvisor, where cvisor supports it.
# Speed is not judged.
# usage: quick-check.sh BUILD_DIR
set -u
out=$(python3 "$(dirname "$0")/run.py" --build "$1" --quick --no-runsc 2>&1)
status=$?
echo "$out"
[ "$status" -eq 0 ] || { echo "0 passed, 1 failed"; exit 1; }
# rows whose native and cvisor columns are both numbers (threads and TCP are n/a for cvisor today)
rows=$(echo "$out" | awk 'NR > 2 && $2 != "n/a" && $4 != "n/a"' | wc -l)
if [ "$rows" -lt 14 ]; then
	echo "only $rows benchmarks produced numbers"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "1 passed, 0 failed"
