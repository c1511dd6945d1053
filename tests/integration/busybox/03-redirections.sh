#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks >, >>, <, 2>&1, 2>/dev/null, >&2, here-documents and exec'd descriptors.
PATH=/bin:/usr/bin
export PATH
umask 022
d=/tmp/redir
rm -rf $d
mkdir -p $d

echo first >$d/f
echo second >>$d/f
echo third >>$d/f
cat $d/f
echo truncated >$d/f
cat <$d/f
wc -l <$d/f

# stderr: merged, discarded, swapped.
cat /nonexistent 2>&1
cat /nonexistent 2>/dev/null
echo "status after hidden error: $?"
{ echo to-stdout; echo to-stderr >&2; } 2>&1 | sort
{ echo visible; echo hidden >&2; } 2>/dev/null
{ echo only-stderr >&2; } 2>&1 >/dev/null
ls /nonexistent $d/f >$d/both 2>&1
cat $d/both

# Here-documents: expanding, quoted, tab-stripping, fed into a pipeline.
name=world
cat <<EOT
hello $name
sum $((2 + 3))
cmd $(echo substituted)
EOT
cat <<'EOT'
hello $name
literal $((2 + 3)) `echo no`
EOT
cat <<-EOT
	tabs stripped
		one level left
	EOT
sort <<EOT | head -n 2
zeta
alpha
mid
EOT
read -r line <<EOT
read from here-doc
EOT
echo "line=$line"

# Descriptors opened with exec survive until closed.
exec 3>$d/fd3
echo via-fd3 >&3
echo again-fd3 >&3
exec 3>&-
cat $d/fd3
exec 4<$d/fd3
read -r a <&4
read -r b <&4
exec 4<&-
echo "a=$a b=$b"

# Read-write open, noclobber and output to a file in a subshell.
set -C
{ echo clobber >$d/fd3; } 2>/dev/null || echo "noclobber refused"
echo forced >|$d/fd3
set +C
cat $d/fd3
(echo from-subshell; echo more) >$d/sub
cat $d/sub
: >$d/empty
wc -c <$d/empty
echo 1234567890 >$d/rw
exec 5<>$d/rw
read -r n <&5
exec 5>&-
echo "n=$n"
