#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks writes over the root's own files are visible inside; run.sh checks that ROOTDIR stays unchanged.
PATH=/bin:/usr/bin
export PATH
umask 022

echo "replaced motd" >/etc/motd
cat /etc/motd
echo fig >>/data/words.txt
wc -l </data/words.txt
sed -i 's/^nobody:/nobody2:/' /etc/passwd
cut -d: -f1 /etc/passwd
rm /etc/group
test -e /etc/group || echo "/etc/group removed"
mkdir /newdir
echo inside >/newdir/file
cat /newdir/file
mv /data/numbers.txt /data/renamed.txt
ls /data
chmod 700 /data/poem.txt
stat -c '%a' /data/poem.txt
rm /bin/yes
test -e /bin/yes || echo "/bin/yes removed"
ln -sf busybox /bin/yes
readlink /bin/yes
rm -r /home
ls /
touch /etc/hostname
cat /etc/hostname
