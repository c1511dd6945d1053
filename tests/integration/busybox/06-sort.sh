#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks sort -n/-r/-u/-k/-t/-f/-c/-o and uniq on the fixed data files.
PATH=/bin:/usr/bin
export PATH
umask 022
d=/tmp/sort
rm -rf $d
mkdir -p $d

echo "-- plain"
sort /data/numbers.txt | tr '\n' ' '
echo
echo "-- -n"
sort -n /data/numbers.txt | tr '\n' ' '
echo
echo "-- -rn"
sort -rn /data/numbers.txt | tr '\n' ' '
echo
echo "-- -u"
sort -u /data/words.txt | tr '\n' ' '
echo
echo "-- -r"
sort -r /data/words.txt | uniq | tr '\n' ' '
echo
echo "-- -t, -k3n (age)"
sort -t, -k3n /data/people.csv
echo "-- -t, -k2,2 -k4,4nr (dept, then salary down)"
sort -t, -k2,2 -k4,4nr /data/people.csv
echo "-- -k on passwd, numeric uid"
sort -t: -k3,3nr /etc/passwd | cut -d: -f1
echo "-- -f"
printf 'b\nA\na\nB\n' | sort -f | tr '\n' ' '
echo
printf 'b\nA\na\nB\n' | sort | tr '\n' ' '
echo
echo "-- -c"
sort -c /data/words.txt 2>/dev/null; echo "unsorted: $?"
sort /data/words.txt | sort -c; echo "sorted: $?"
echo "-- -o in place"
cp /data/words.txt $d/w
sort -u -o $d/w $d/w
wc -l <$d/w
head -n 2 $d/w
echo "-- uniq"
sort /data/words.txt | uniq -d | tr '\n' ' '
echo
sort /data/words.txt | uniq -u | tr '\n' ' '
echo
sort /data/words.txt | uniq -c | head -n 2
