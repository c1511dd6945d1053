#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks sed substitution, addresses, ranges, -n p, -e, -E, y, hold space and -i on a /tmp file.
PATH=/bin:/usr/bin
export PATH
umask 022
d=/tmp/sed
rm -rf $d
mkdir -p $d

echo "banana bandana" | sed 's/an/AN/'
echo "banana bandana" | sed 's/an/AN/g'
echo "banana bandana" | sed 's/an/AN/2'
echo "path/to/file" | sed 's|/|::|g'
echo "hello world" | sed 's/\(hello\) \(world\)/\2 \1/'
echo "aaa bbb" | sed -E 's/(a+) (b+)/[\2] [\1]/'
echo "x=1, y=22" | sed 's/[0-9][0-9]*/<&>/g'
echo "hello" | sed 'y/abcdefghijklmnopqrstuvwxyz/ABCDEFGHIJKLMNOPQRSTUVWXYZ/'
echo "-- -n p and ranges"
sed -n '2p' /data/words.txt
sed -n '3,5p' /data/words.txt
sed -n '$p' /data/words.txt
sed -n '/^b/p' /data/words.txt
sed -n '/cherry/,/kiwi/p' /data/words.txt
sed -n '18,$p' /data/words.txt
sed '4,$d' /data/words.txt
sed '/^$/d' /data/poem.txt | wc -l
sed -n '/GARDEN/p' /data/poem.txt
echo "-- several commands"
sed -e 's/apple/APPLE/' -e '/pear/d' /data/words.txt | head -n 4
sed -n 'p;n;n;n;n' /data/words.txt
sed 'n;d' /data/people.csv
sed '1!G;h;$!d' /data/people.csv | head -n 2
sed = /data/people.csv | sed 'N;s/\n/ /' | tail -n 2
printf 'a\nb\n' | sed '1i\
inserted before 1
$a\
appended after last'
printf 'one\ntwo\nthree\n' | sed '2c\
changed'
echo "-- -i on a /tmp file"
cp /data/poem.txt $d/poem
sed -i 's/garden/yard/g; s/GARDEN/YARD/; /^$/d' $d/poem
cat $d/poem
sed -i '1d' $d/poem
head -n 1 $d/poem
cmp -s /data/poem.txt $d/poem || echo "copy differs, original untouched"
grep -c garden /data/poem.txt
