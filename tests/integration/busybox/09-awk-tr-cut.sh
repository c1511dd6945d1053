#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks awk (fields, arrays, printf, string functions, arithmetic), tr and cut.
PATH=/bin:/usr/bin
export PATH
umask 022

echo "-- awk"
awk '{ s += $1 } END { print "sum", s, "count", NR, "mean", s / NR }' /data/numbers.txt
awk -F, '{ print $1, $NF }' /data/people.csv | head -n 2
awk -F, '$3 > 35 { print $1 }' /data/people.csv
awk -F, '{ total[$2] += $4; n[$2]++ } END { for (k in total) printf "%-6s %2d %6.1f\n", k, n[k], total[k] / n[k] }' /data/people.csv | sort
awk -F: -v OFS=' | ' '{ print NR, $1, $3 }' /etc/passwd
awk 'NR % 5 == 0 { print NR ": " $0 }' /data/words.txt
awk 'length($0) > 5' /data/words.txt | sort -u | tr '\n' ' '
echo
awk '{ c[$1]++ } END { for (w in c) if (c[w] > 2) print w, c[w] }' /data/words.txt | sort
awk 'BEGIN { print toupper("abc"), tolower("XyZ"), length("hello"), substr("sandbox", 4, 3), index("cvisor", "iso") }'
awk 'BEGIN { n = split("a:b:c:d", parts, ":"); print n, parts[1], parts[n] }'
awk 'BEGIN { s = "aXbXc"; n = gsub(/X/, "-", s); print n, s; sub(/-/, "+", s); print s }'
awk 'BEGIN { printf "%d %5.2f %e %s %c %x\n", 3.99, 3.14159, 12345.678, "str", 65, 255 }'
# This busybox is built without awk's libm functions (sqrt, ^): leave them out.
awk 'BEGIN { print int(-3.7), int(3.7), 7 % 3, -7 % 3, 1e3 + 1, 10 / 4, 2 * 3 + 4 }'
awk 'BEGIN { x = sprintf("%05.1f", 2.25); print x; if ("10" < "9") print "string compare"; if (10 < 9) print "wrong" }'
awk 'BEGIN { for (i = 1; i <= 3; i++) printf "%d%s", i * i, (i < 3 ? "," : "\n") }'
printf 'a b c\nd e f\n' | awk '{ $2 = "X"; print; print NF }'
echo "one:two:three" | awk -F: '{ OFS = "-"; $1 = $1; print }'
awk 'END { print NR }' /data/words.txt /data/numbers.txt
awk 'FNR == 1 { print FILENAME }' /data/numbers.txt /etc/group
echo "-- tr"
echo "Hello World" | tr 'a-z' 'A-Z'
echo "Hello World" | tr -d 'lo'
echo "a    lot   of    spaces" | tr -s ' '
echo "aabbccdd" | tr -s 'a-c'
echo "hello" | tr 'el' 'ip'
echo "abc123def" | tr -cd '0-9'
echo
printf 'a\nb\nc\n' | tr '\n' ','
echo
echo "-- cut"
cut -d, -f1 /data/people.csv | tr '\n' ' '
echo
cut -d, -f2,4 /data/people.csv | head -n 2
cut -d, -f3- /data/people.csv | tail -n 1
cut -c1-3 /data/words.txt | head -n 3 | tr '\n' ' '
echo
cut -c2,4 /etc/hostname
cut -d: -f1,7 /etc/passwd
printf 'x\ty\tz\n' | cut -f2
echo "no delimiter" | cut -d, -f2
echo "no delimiter" | cut -s -d, -f2
