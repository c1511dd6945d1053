#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks exit status propagation through commands, sh -c, pipelines and subshells, and $( ) / ( ) isolation.
PATH=/bin:/usr/bin
export PATH
umask 022
# The sandbox's starting directory is not part of this test.
cd / || exit 1

echo "-- exit statuses"
false; echo "false: $?"
true; echo "true: $?"
sh -c 'exit 7'; echo "sh -c 'exit 7': $?"
/bin/sh -c 'exit 255'; echo "exit 255: $?"
sh -c 'exit 300'; echo "exit 300: $?"
sh -c 'false; true'; echo "last command wins: $?"
sh -c 'sh -c "exit 9"'; echo "nested sh -c: $?"
(exit 3); echo "subshell: $?"
x=$(exit 5); echo "assignment from \$(exit 5): $?"
false | true; echo "false | true: $?"
true | false; echo "true | false: $?"
sh -c 'exit 4' | sh -c 'exit 6'; echo "pipeline of sh -c: $?"
! true; echo "! true: $?"
! false; echo "! false: $?"
nosuchcommand_xyz 2>/dev/null; echo "not found: $?"
/etc/passwd 2>/dev/null; echo "not executable: $?"
/tmp 2>/dev/null; echo "directory: $?"
true && echo "&& after success"
false && echo "never printed"
false || echo "|| after failure"
true || echo "never printed"
if sh -c 'exit 1'; then echo then; else echo "else branch: $?"; fi
(set -e; false; echo "not reached"); echo "set -e subshell: $?"
(set -o pipefail; false | true); echo "pipefail: $?"
(exec false); echo "exec false in subshell: $?"
f() { (exit 12); }
f; echo "function's last status: $?"
sh -c 'echo "\$0=$0 \$1=$1 \$#=$#"' zero one two

echo "-- subshells and command substitution"
v=parent
(v=child; echo "inside: $v"; cd /tmp; pwd)
echo "outside: $v, cwd $(pwd)"
echo "nested: $(echo "a$(echo "b$(echo c)")")"
echo "backticks: `echo old style`"
lines=$(printf 'one\ntwo\n\n\n')
echo "trailing newlines stripped: [$lines]"
count=$(grep -c apple /data/words.txt)
echo "count=$count"
echo "$(cd /etc && pwd) then $(pwd)"
result=$( (echo sub; exit 2) ); echo "result=$result status=$?"
{ v=group; }; echo "braces share the shell: $v"
echo "pid unchanged by ( ): $( [ "$(echo $$)" = "$$" ] && echo yes )"
out=$(sh -c 'echo stdout; echo stderr >&2' 2>&1 | sort | tr '\n' ' ')
echo "$out"
i=0
while [ $i -lt 100 ]; do i=$(expr $i + 1); done
echo "100 forks of expr: $i"
