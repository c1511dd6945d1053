#!/bin/sh
# SPDX-License-Identifier: MIT
# Bounded libFuzzer run over the 9P codec: fresh seed corpus, fixed seed,
# fixed number of runs. usage: fuzz.sh FUZZER SEEDS_EXE WORKDIR RUNS
# An empty FUZZER means clang was not found at configure time: a skip
# (exit 77) locally, a failure under CI=true.
set -eu
fuzzer=$1 seeds=$2 work=$3 runs=$4

if [ -z "$fuzzer" ]; then
	echo "p9-fuzz: clang with libFuzzer not found (make deps installs clang, libclang-rt-14-dev)"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
rm -rf "$work"
mkdir -p "$work/corpus"
"$seeds" "$work/corpus"
start=$(date +%s)
# libFuzzer's default error exit code is 77, which meson reads as "skipped":
# a finding must be a failure.
status=0
"$fuzzer" -seed=1 -runs="$runs" -max_len=2048 -timeout=20 -rss_limit_mb=2048 \
	-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work/corpus" || status=$?
if [ "$status" -ne 0 ]; then
	echo "p9-fuzz: FAILED (exit $status); reproducer: $(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null)"
	exit 1
fi
echo "p9-fuzz: $runs runs in $(( $(date +%s) - start )) s"
