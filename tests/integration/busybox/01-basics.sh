#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks echo, printf, ls /, uname, applet lookup through symlinks and the root's layout.
PATH=/bin:/usr/bin
export PATH
umask 022

echo hi
ls /
uname -s
echo -n "no newline"
echo " then newline"
printf '%s|%5s|%-5s|%d|%03d|%x|%o|%c\n' word abc abc 42 7 255 8 xyz
printf 'a\tb\\n\n'
echo "quoted   spaces" unquoted   spaces

# Applets are symlinks to busybox; /usr/bin is a symlink to ../bin.
readlink /bin/ls
readlink /usr/bin
command -v sort
command -v echo
/bin/busybox echo called as busybox applet
/usr/bin/echo called through /usr/bin
basename /a/b/file.txt .txt
dirname /a/b/file.txt

# Modes of the root's directories come from ROOTDIR.
stat -c '%n %a %F' / /tmp /root /bin /bin/busybox
ls -ld /tmp | awk '{print $1}'
test -x /bin/busybox && echo busybox is executable
test -L /bin/sh && echo /bin/sh is a symlink
