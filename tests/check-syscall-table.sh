#!/bin/sh
# SPDX-License-Identifier: MIT
# The syscall table tells the truth: rows declared full/partial have a
# handler linked in, and no handler hides behind an "unsupported" row.
# The generated compatibility table in docs/ is up to date.
# usage: check-syscall-table.sh CVISOR GENERATED_DOC CHECKED_IN_DOC
set -u
cvisor=$1 generated=$2 checked_in=$3
bad=$("$cvisor" syscalls | awk -F'\t' '
	($3 == "full" || $3 == "partial") && $4 == "-" { print "declared " $3 " but no handler: " $2 }
	($3 == "enosys" || $3 == "eperm") && $4 == "handler" { print "has a handler but declared " $3 ": " $2 }')
pass=0 fail=0
if [ -z "$bad" ]; then pass=$((pass + 1)); echo "ok table matches handlers"
else fail=$((fail + 1)); echo "FAIL table does not match handlers:"; echo "$bad"; fi
if cmp -s "$generated" "$checked_in"; then pass=$((pass + 1)); echo "ok docs/compatibility.md is current"
else fail=$((fail + 1)); echo "FAIL docs/compatibility.md is stale: run 'make compat-table'"; diff -u "$checked_in" "$generated" | head -20; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
