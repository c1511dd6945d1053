#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks cat, wc -l/-w/-c, head and tail on the fixed data files and on files the script writes.
PATH=/bin:/usr/bin
export PATH
umask 022
d=/tmp/text
rm -rf $d
mkdir -p $d

cat /etc/motd
cat -n /data/poem.txt
cat /data/numbers.txt /data/people.csv >$d/cat
wc -l <$d/cat
wc -l /data/words.txt
wc -w /data/poem.txt
wc -c /data/poem.txt
wc /data/poem.txt /data/words.txt
echo "one two  three" | wc -w
printf 'no newline' | wc -l
printf 'no newline' | wc -c

head -n 3 /data/words.txt
head -2 /data/people.csv
head -c 12 /data/poem.txt
echo
tail -n 2 /data/words.txt
tail -n +19 /data/words.txt
tail -c 9 /data/poem.txt
tail -1 /data/people.csv
seq 1 100 >$d/seq
head -n 55 $d/seq | tail -n 3
tail -n 1 $d/seq
head -n -97 $d/seq
cat /data/poem.txt | head -n 4 | tail -n 2
