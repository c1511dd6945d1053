#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks grep -c/-v/-i/-E/-o/-n/-w/-x/-l/-h/-q/-F/-e and its exit statuses.
PATH=/bin:/usr/bin
export PATH
umask 022

grep apple /data/words.txt | head -n 2
grep -c apple /data/words.txt
grep -c -v apple /data/words.txt
grep -v -e apple -e pear -e banana /data/words.txt | tr '\n' ' '
echo
grep -i garden /data/poem.txt
grep -ci the /data/poem.txt
grep -E '^(fig|kiwi)$' /data/words.txt
grep -E -c 'a.*a' /data/words.txt
grep -o 'river' /data/poem.txt
grep -o -E '[0-9]+' /data/people.csv | head -n 3
grep -n '^$' /data/poem.txt
grep -n end /data/poem.txt
grep -w 'in' /data/poem.txt
grep -x 'fig' /data/words.txt
grep -F '.' /data/numbers.txt
grep '3.5' /data/numbers.txt
grep -F -x -v -f /data/words.txt /data/words.txt | wc -l
grep -l root /etc/passwd /etc/group /etc/motd
grep -L root /etc/passwd /etc/group /etc/motd
grep -h nobody /etc/passwd /etc/group
grep nobody /etc/passwd /etc/group | cut -d: -f1,2
grep -A 1 cherry /data/words.txt
grep -B 1 -n kiwi /data/words.txt
egrep -c 'an+a' /data/words.txt
echo "-- exit statuses"
grep -q root /etc/passwd; echo "found: $?"
grep -q nosuchuser /etc/passwd; echo "not found: $?"
grep -q root /nonexistent 2>/dev/null; echo "no file: $?"
grep root /nonexistent 2>&1
grep -s root /nonexistent; echo "silent: $?"
