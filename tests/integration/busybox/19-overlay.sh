#!/bin/sh
# SPDX-License-Identifier: MIT
# The root as an overlay, seen from inside: the image's own directories and
# files (the lower layer) changed the way Linux's overlayfs shows them:
# whiteouts, opaque directories, directory renames, copy-up keeping modes,
# hard links and partial truncation of image files. run.sh checks that the
# root on the host stays unchanged.
PATH=/bin:/usr/bin
export PATH
umask 022

# a non-empty image directory cannot be removed
rmdir /data 2>/dev/null || echo "rmdir /data refused"
# whiteout: a removed image file is gone from listings, a new one takes its name
rm /etc/motd
ls /etc | grep -c '^motd$'
echo "new motd" >/etc/motd
cat /etc/motd
# opaque: an image directory removed and made again is empty
rm -r /home
mkdir /home
ls -A /home | wc -l
# a directory of the image renamed with its contents
mv /data /data2
test -e /data || echo "/data gone"
ls /data2
wc -l </data2/words.txt
# and renamed back over an empty directory
mkdir /data
rmdir /data
mv /data2 /data
ls /data | wc -l
# copy-up keeps the mode; an append changes only the copy
chmod 640 /data/people.csv
stat -c '%a' /data/people.csv
echo "zed,ops,50,1" >>/data/people.csv
tail -n 1 /data/people.csv
stat -c '%a' /data/people.csv
# a hard link to an image file
ln /data/poem.txt /poem-link
stat -c '%h' /data/poem.txt
echo "added" >>/poem-link
tail -n 1 /data/poem.txt
# a partial truncation of an image file keeps its first bytes
truncate -s 5 /data/numbers.txt
wc -c </data/numbers.txt
od -c /data/numbers.txt | head -n 1
# a file moved out of an image directory, and that directory then removed
mkdir /keep
mv /data/words.txt /keep/
ls /data | grep -c words
wc -l </keep/words.txt
