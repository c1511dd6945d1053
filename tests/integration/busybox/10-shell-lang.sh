#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks test/[, $((...)), parameter expansion, case, loops and functions in ash.
PATH=/bin:/usr/bin
export PATH
umask 022

echo "-- test and ["
[ abc = abc ] && echo "string equal"
[ abc != abd ] && echo "string differ"
[ -z "" ] && [ -n x ] && echo "empty and non-empty"
[ 10 -gt 9 ] && [ 3 -le 3 ] && [ -5 -lt 0 ] && echo "numeric compare"
test 2 -eq 2 -a 3 -ne 4 && echo "-a works"
test 1 -eq 2 -o 3 -eq 3 && echo "-o works"
[ ! -e /nonexistent ] && echo "! -e"
[ -d /tmp ] && [ -f /etc/passwd ] && [ -r /etc/motd ] && [ -x /bin/busybox ] && echo "file tests"
[ -L /bin/ls ] && [ -h /usr/bin ] && echo "link tests"
[ -s /etc/passwd ] && ! [ -s /dev/null ] && echo "size tests"
[ -c /dev/null ] && [ -p /dev/null ] || echo "/dev/null is not a pipe"
[ a \< b ] && echo "a sorts before b"
[ 1 -eq x ] 2>/dev/null; echo "bad integer: $?"

echo "-- arithmetic"
echo $((3 + 4 * 5)) $(((3 + 4) * 5)) $((17 / 5)) $((17 % 5)) $((-17 / 5)) $((-17 % 5))
echo $((1 << 10)) $((0x1F)) $((010)) $((255 & 15)) $((8 | 3)) $((6 ^ 3)) $((~0))
echo $((3 > 2)) $((3 < 2)) $((2 == 2 && 0 == 1)) $((0 || 5)) $((!7))
echo $((5 > 3 ? 10 : 20)) $((1 << 62)) $((9223372036854775807))
i=5
i=$((i + 1))
: $((i *= 2)) $((j = 7))
echo "i=$i j=$j"
n=0
while [ $n -lt 10 ]; do n=$((n + 1)); done
echo "n=$n"

echo "-- parameter expansion"
f=/usr/lib/archive.tar.gz
echo "${f##*/} ${f#*/} ${f%.*} ${f%%.*} ${#f}"
unset u
echo "${u:-default} ${u-unset} [${u:+alt}] [${f:+alt}]"
echo "${u:=assigned} $u"
e=
echo "[${e-dash}] [${e:-colon-dash}]"
s=hello
echo "${s}world ${s#he} ${s%lo}"
(: "${missing:?is required}") 2>&1 | sed 's/.*missing:/missing:/'

echo "-- case"
for w in apple Banana 42 x.txt ''; do
	case $w in
	[aA]*) echo "$w: starts with a" ;;
	[A-Z]*) echo "$w: capital" ;;
	*[0-9]) echo "$w: ends with a digit" ;;
	*.txt | *.md) echo "$w: text" ;;
	'') echo "empty" ;;
	esac
done

echo "-- loops"
for i in 1 2 3; do printf '%s ' "$i"; done
echo
for f in /data/*.txt; do printf '%s ' "${f#/data/}"; done
echo
i=0
until [ $i -ge 3 ]; do i=$((i + 1)); printf 'u%s ' $i; done
echo
for i in 1 2 3 4 5 6; do
	[ $i -eq 2 ] && continue
	[ $i -eq 5 ] && break
	printf 'c%s ' $i
done
echo
for a in x y; do for b in 1 2; do printf '%s%s ' $a $b; done; done
echo
while IFS=, read -r name dept age salary; do
	[ "$dept" = ops ] && echo "$name is $age"
done </data/people.csv
total=0
while read -r v; do total=$((total + ${v%.*})); done </data/numbers.txt
echo "integer total: $total"

echo "-- functions"
greet() { echo "hello, $1 ($# args)"; }
greet world extra
fact() {
	if [ "$1" -le 1 ]; then echo 1; return; fi
	echo $(($1 * $(fact $(($1 - 1)))))
}
echo "10! = $(fact 10)"
scope() { local v=inner; echo "in: $v"; }
v=outer
scope
echo "out: $v"
status() { return "$1"; }
status 4; echo "returned $?"
args() { for a in "$@"; do printf '[%s]' "$a"; done; echo; }
args "a b" c "" d
set -- one "two words" three
echo "$# $1 $3"
shift
args "$@"
args $*
IFS=:
set -- $(echo a:b:c)
IFS=' 	
'
echo "split on colon: $# $2"
eval 'x=evaluated; echo $x'
parse() {
	OPTIND=1
	while getopts "ab:" o "$@"; do
		case $o in
		a) echo "flag a" ;;
		b) echo "b=$OPTARG" ;;
		*) echo "bad option" ;;
		esac
	done
	shift $((OPTIND - 1))
	echo "rest: $*"
}
parse -a -b val file1 file2
