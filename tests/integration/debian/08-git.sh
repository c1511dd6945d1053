#!/bin/bash
# SPDX-License-Identifier: MIT
# git: init, commit a few hundred files, modify, commit, gc into a pack, fsck,
# clone. Names and dates are fixed, so the commit hashes are the native ones.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
set -eu
umask 022
export HOME=/tmp/home GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=cvisor GIT_AUTHOR_EMAIL=cvisor@example.org
export GIT_COMMITTER_NAME=cvisor GIT_COMMITTER_EMAIL=cvisor@example.org
export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
mkdir -p $HOME /tmp/repo
cd /tmp/repo
git init -q -b main .
for d in $(seq -w 0 19); do
	mkdir "src$d"
	for f in $(seq -w 0 14); do seq "$d$f" >"src$d/file$f.txt"; done
done
printf '#!/bin/sh\necho hi\n' >run.sh && chmod +x run.sh
ln -s src00/file00.txt link
git add -A
git commit -q -m "first: 300 files"
echo "files $(git ls-files | wc -l)"
for d in 00 01 02 03 04; do echo changed >>src$d/file07.txt; done
git rm -q -r src19
git mv src18 moved
git commit -q -a -m "second: modify, remove, rename"
git tag -a -m "a tag" v1
echo "commits $(git log --oneline | wc -l)"
git rev-parse HEAD HEAD~1 'HEAD^{tree}' v1
git diff --shortstat HEAD~1 HEAD
git diff -M --name-status HEAD~1 HEAD | grep -c '^R' | sed 's/^/renames /'
[ -z "$(git status --porcelain)" ] && echo "status clean"
echo dirty >>run.sh
git status --porcelain
git checkout -q -- run.sh
git gc -q --aggressive
echo "packs $(find .git/objects/pack -name "*.pack" | wc -l), loose $(git count-objects | cut -d' ' -f1)"
git fsck --strict --no-progress && echo "fsck ok"
git clone -q --no-hardlinks /tmp/repo /tmp/clone
[ "$(git -C /tmp/clone rev-parse HEAD)" = "$(git rev-parse HEAD)" ] && echo "clone at HEAD"
git -C /tmp/clone fsck --no-progress && echo "clone fsck ok"
git -C /tmp/clone log --format='%h %an %ad %s' --date=iso-strict
cd /
rm -rf /tmp/repo /tmp/clone $HOME
echo OK
