#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks ls -l/-a/-1/-F/-d, stat and chmod on files the script makes (times and owners masked).
PATH=/bin:/usr/bin
export PATH
umask 022
d=/tmp/ls
rm -rf $d
mkdir -p $d
cd $d || exit 1

printf 'hello\n' >small
head -c 1000 /dev/zero >kilo
: >empty
mkdir sub
printf '#!/bin/sh\necho run\n' >script
chmod 755 script
echo secret >private
chmod 600 private
echo ro >readonly
chmod 444 readonly
ln -s small link
ln small hard
mkfifo fifo
touch .hidden Upper

ls
ls -a
ls -1 | head -n 3
ls -F
# Mode, link count, size, name: stable across filesystems for these types.
ls -l small kilo empty script private readonly hard fifo | awk '{print $1, $2, $5, $NF}'
ls -l link | awk '{print $1, $5, $(NF-2), $(NF-1), $NF}'
ls -ld sub | awk '{print $1, $NF}'
ls -d s*
ls sub
ls -l sub | wc -l

stat -c '%n %a %s %F %h' small kilo empty link fifo hard
# A directory's size depends on the filesystem; its link count does not.
stat -c '%n %a %F %h' sub
stat -L -c '%n %F' link
chmod u+s,g+w script
chmod a-r private
ls -l script private | awk '{print $1, $NF}'
chmod 0640 script
stat -c '%a %A' script
