#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks multi-stage pipelines, large transfers through pipes, tee, xargs and SIGPIPE'd writers.
PATH=/bin:/usr/bin
export PATH
umask 022
d=/tmp/pipes
rm -rf $d
mkdir -p $d

echo "top words:"
cat /data/words.txt | sort | uniq -c | sort -rn | head -n 3
echo "ties broken by name:"
sort /data/words.txt | uniq -c | sort -k1,1nr -k2,2 | tail -n 4
echo "distinct: $(sort -u /data/words.txt | wc -l)"

# Six stages, each an exec'd applet.
cat /data/poem.txt | tr 'A-Z' 'a-z' | tr -cs 'a-z' '\n' | grep -v '^$' | sort | uniq -c | sort -k1,1nr -k2 | head -n 5

# More data than a pipe buffer holds.
head -c 1000000 /dev/zero | tr '\0' 'a' | wc -c
seq 1 100000 | tail -n 1
seq 1 10000 | awk '{ s += $1 } END { print s }'
seq 1 5000 | sort -rn | head -n 3

# The writer gets SIGPIPE (or EPIPE) once head exits; the pipeline still ends.
yes | head -n 1000 | wc -l
yes hello | head -n 2

# tee writes both to its file and down the pipe.
printf 'one\ntwo\nthree\n' | tee $d/tee.txt | wc -l
cat $d/tee.txt

printf '%s\n' a b c d e | xargs echo
printf '%s\n' a b c d e | xargs -n 2 echo
seq 1 5 | paste -s -d+ -
echo "a b c" | { read x y z; echo "$z $y $x"; }
