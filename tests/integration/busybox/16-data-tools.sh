#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks checksums, od/hexdump, base64, gzip/tar round trips, cmp/diff and other filters.
PATH=/bin:/usr/bin
export PATH
umask 022
d=/tmp/tools
rm -rf $d
mkdir -p $d
cd $d || exit 1

md5sum /data/words.txt
sha256sum /data/numbers.txt
printf 'abc' | sha1sum
printf 'abc' | od -An -c
printf 'AB\n' | od -An -tx1
printf 'AB\n' | od -An -to1
printf 'hexdump\n' | hexdump -C
printf '\001\377' | od -An -tu1

base64 /data/poem.txt | head -n 2
base64 /data/poem.txt | base64 -d | cmp - /data/poem.txt && echo "base64 round trip"
gzip -c /data/words.txt >words.gz
gunzip -c words.gz | cmp - /data/words.txt && echo "gzip round trip"
gzip -t words.gz && echo "gzip -t ok"
tar -cf data.tar -C /data .
tar -tf data.tar | sort
mkdir out
tar -xf data.tar -C out
cmp out/people.csv /data/people.csv && echo "tar round trip"
tar -czf - -C /data numbers.txt | tar -xzOf - | md5sum

cp /data/words.txt w1
sed 's/kiwi/KIWI/' /data/words.txt >w2
cmp w1 w2
echo "cmp status: $?"
diff -u w1 w2 >diff.out
echo "diff status: $?"
# The first two lines carry timestamps.
tail -n +3 diff.out
diff w1 w1 && echo "no difference"
sort -u w1 >s1
printf 'apple\nkiwi\nzucchini\n' >s2
# This busybox has no comm: intersect and subtract with grep.
grep -Fx -f s2 s1 | tr '\n' ' '
echo
grep -Fxv -f s1 s2
grep -Fxv -f s2 s1 | wc -l

echo "stressed" | rev
seq 1 4 | tac | tr '\n' ' '
echo
nl -ba /etc/motd | head -n 2
expr 6 \* 7
expr length "cvisor"
expr "abc123" : '[a-z]*'
factor 360
echo "1 2 3 4 5 6 7 8 9 10" | fold -w 8
printf 'a\tb\n' | expand -t 4 | od -An -c
echo "2 + 3 * 4" | bc
printf '%s\n' c a b | sort | paste -s -d, -
paste -d' ' /etc/hostname /etc/hostname
truncate -s 10 t.bin
stat -c '%s' t.bin
od -An -tx1 t.bin
echo "hello, world" | cut -c 1-5 | tr 'a-z' 'A-Z'
