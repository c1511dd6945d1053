#!/bin/bash
# SPDX-License-Identifier: MIT
# bash itself: loops, pipes, subshells, command substitution, arrays, functions, here-strings.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
cd /
for i in 1 2 3; do echo $i; done | tac
ls -la /usr/bin | wc -l | awk '{print ($1 > 100) ? "many" : "few"}'
(exit 3); echo "subshell status $?"
x=$(echo nested $(echo deep)); echo "$x"
arr=(alpha beta gamma); echo "${#arr[@]} ${arr[1]} ${arr[@]: -1}"
declare -A map=([one]=1 [two]=2); echo "map ${map[two]}"
fib() { local n=$1; if ((n < 2)); then echo $n; else echo $(( $(fib $((n-1))) + $(fib $((n-2))) )); fi; }
echo "fib 12 = $(fib 12)"
read -r a b <<< "left right"; echo "$b $a"
printf '%05d|%-4s|%x\n' 42 ab 255
set -o pipefail; false | true; echo "pipefail $?"
echo "${BASH_VERSINFO[0]}" | grep -q '^5' && echo "bash 5"
diff <(printf 'a\nb\n') <(echo a; echo b) && echo "process substitution"
wc -l < <(seq 7)
cat /dev/stdin <<< "through /dev/stdin"
