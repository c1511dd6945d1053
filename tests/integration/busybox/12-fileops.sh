#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks mkdir -p, rmdir, rm -r, mv, cp, ln, readlink, find, cd/pwd and touch in /tmp.
PATH=/bin:/usr/bin
export PATH
umask 022
d=/tmp/x
rm -rf $d

mkdir -p $d/a/b/c
mkdir $d/a 2>&1
mkdir -p $d/a && echo "mkdir -p on an existing dir: ok"
touch $d/a/one.txt $d/a/b/two.txt
test -e $d/a/one.txt && echo "touch created one.txt"
test -s $d/a/one.txt || echo "one.txt is empty"
echo data >$d/a/b/c/three.txt
find $d -type f | sort
find $d -type d | sort
find $d -name '*.txt' -path '*b*' | sort
find $d -maxdepth 2 | sort
find $d -type f -empty | sort
find $d -type f -size +0 -exec cat {} \;

echo "-- cd and pwd"
cd $d/a/b || exit 1
pwd
cd ..
pwd
cd b/c && pwd && cd - >/dev/null && pwd
ln -s $d/a/b/c $d/short
cd $d/short && pwd && pwd -P
cd / || exit 1

echo "-- cp and mv"
cp $d/a/b/c/three.txt $d/copy.txt
cat $d/copy.txt
cp -r $d/a $d/a2
find $d/a2 | sort
mv $d/copy.txt $d/moved.txt
test -e $d/copy.txt || echo "copy.txt is gone after mv"
cat $d/moved.txt
mv $d/moved.txt $d/a2/b/
ls $d/a2/b
echo old >$d/target
echo new >$d/source
mv -f $d/source $d/target
cat $d/target
mv $d/a2 $d/renamed
ls $d
cp -a $d/short $d/short-copy
readlink $d/short-copy
echo "-- links"
ln -s ../a/one.txt $d/renamed/rel-link
readlink $d/renamed/rel-link
readlink -f $d/renamed/rel-link
echo linked >$d/a/one.txt
cat $d/renamed/rel-link 2>&1
ln -s /nonexistent/target $d/dangling
test -L $d/dangling && ! test -e $d/dangling && echo "dangling link"
ln $d/target $d/hardlink
echo appended >>$d/hardlink
cat $d/target
stat -c '%h' $d/target
unlink $d/hardlink
stat -c '%h' $d/target
ln -sf $d/target $d/dangling
readlink $d/dangling
# ".." after a symlink is taken from the link's target, not from the path.
realpath $d/short/../../one.txt
cat $d/short/../.././one.txt

echo "-- removal"
rmdir $d/a/b 2>&1
rmdir $d/renamed/b/c 2>&1
rmdir -p $d/a/b/c 2>/dev/null
test -d $d/a/b/c && echo "rmdir -p stopped at non-empty c"
rm $d/a 2>&1
rm -r $d/renamed
test -e $d/renamed || echo "renamed removed"
rm -f $d/nonexistent && echo "rm -f on a missing file: ok"
rm $d/nonexistent 2>&1
rm -rf $d
test -e $d || echo "everything removed"
ls -A /tmp | wc -l
