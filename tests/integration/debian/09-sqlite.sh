#!/bin/bash
# SPDX-License-Identifier: MIT
# sqlite3: a 100k-row table from a recursive CTE, aggregates, an index, a
# transaction rolled back, the WAL journal (a shared mapping of the -shm
# file), a second process reading while a writer holds its lock, and an
# integrity check; then flock(1).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
set -eu
db=/tmp/t.db
sqlite3 -batch $db <<'SQL'
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT, x REAL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO t SELECT i, i % 97, printf('row%06d', i), i * 0.5 FROM n;
SELECT count(*), sum(id), sum(k), total(x), min(v), max(v) FROM t;
SELECT k, count(*), sum(id) FROM t GROUP BY k ORDER BY count(*) DESC, k LIMIT 3;
CREATE INDEX t_k ON t(k);
SELECT count(*), sum(id) FROM t WHERE k = 42;
EXPLAIN QUERY PLAN SELECT sum(id) FROM t WHERE k = 42;
SELECT v FROM t WHERE id IN (1, 50000, 100000) ORDER BY id;
BEGIN; DELETE FROM t WHERE k < 50; SELECT count(*) FROM t; ROLLBACK;
SELECT count(*) FROM t;
UPDATE t SET v = upper(v) WHERE id % 1000 = 0;
SELECT count(*) FROM t WHERE v GLOB 'ROW*';
PRAGMA integrity_check;
SQL
[ "$(stat -c %s $db)" -gt 2000000 ] && echo "database over 2 MB"
# WAL: the -shm index is a MAP_SHARED mapping of a file.
sqlite3 -batch $db 'PRAGMA journal_mode=WAL;'
sqlite3 -batch $db 'INSERT INTO t(k, v, x) SELECT k, v, x FROM t WHERE id <= 1000; SELECT count(*) FROM t;'
[ -e $db-wal ] || echo "wal file gone (checkpointed on close)"
# A writer holds the write lock (BEGIN IMMEDIATE, its DELETE not committed)
# while a second process reads the last committed state through the WAL
# index and a third is refused the lock. FIFOs order the steps, no sleeps.
mkfifo /tmp/locked /tmp/go
sqlite3 -batch $db >/tmp/writer <<'SQL' &
BEGIN IMMEDIATE;
DELETE FROM t WHERE id > 1000;
.shell echo >/tmp/locked
.shell read x </tmp/go
COMMIT;
SELECT 'writer committed';
SQL
read -r _ </tmp/locked
sqlite3 -batch $db 'SELECT count(*) FROM t;' | sed 's/^/reader sees /'
sqlite3 -batch -cmd '.timeout 0' $db 'INSERT INTO t(k) VALUES (1);' 2>&1 | sed 's/.*\(database is locked\).*/third process: \1/'
echo >/tmp/go
wait
cat /tmp/writer
sqlite3 -batch $db 'SELECT count(*) FROM t; PRAGMA journal_mode=DELETE; PRAGMA integrity_check;'
# util-linux flock(1): our open file holds the lock, so its own open is refused.
exec 8>/tmp/lk
flock -x 8
flock -n /tmp/lk true || echo "flock -n refused while held"
flock -u 8
flock -n /tmp/lk echo "flock -n granted after unlock"
exec 8>&-
rm -f $db $db-wal $db-shm /tmp/locked /tmp/go /tmp/writer /tmp/lk
echo OK
