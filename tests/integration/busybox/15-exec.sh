#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks execve by absolute path: applet symlinks, #! scripts, scripts without #!, argv[0] and failures.
PATH=/bin:/usr/bin
export PATH
umask 022
d=/tmp/exec
rm -rf $d
mkdir -p $d

# Plain command names run applets in-process or via /proc/self/exe; absolute
# paths make the kernel resolve the symlink and load the ELF file.
printf 'a\nb\n' | /bin/wc -l
printf 'a\nb\n' | /usr/bin/wc -l
/bin/busybox seq 3 | /bin/tr '\n' ' '
echo
/bin/sh -c 'echo "sh -c via /bin/sh"'
/bin/env -i FOO=bar /bin/sh -c 'echo "env -i: FOO=$FOO PATH=${PATH:-unset}"'
/bin/env A=1 /bin/sh -c 'echo "A=$A"'

# argv[0] picks the applet; an unknown name is an error from busybox itself.
ln -s /bin/busybox $d/cat
echo "via a symlink named cat" | $d/cat
ln -s /bin/busybox $d/notanapplet
$d/notanapplet 2>&1; echo "status $?"

cat >$d/hello.sh <<'EOT'
#!/bin/sh
echo "hello from $0 with $# args: $*"
exit 3
EOT
chmod 755 $d/hello.sh
$d/hello.sh one two; echo "status $?"
(cd $d && ./hello.sh dot-slash); echo "status $?"

printf '#!/bin/sh -e\nfalse\necho not reached\n' >$d/dash-e.sh
chmod 755 $d/dash-e.sh
$d/dash-e.sh; echo "#! with an argument: status $?"

printf '#!/bin/awk -f\nBEGIN { print "awk interpreter, argc", ARGC }\n' >$d/prog.awk
chmod 755 $d/prog.awk
$d/prog.awk x y

# No #! line: the shell runs the file itself after ENOEXEC.
printf 'echo "no shebang, ran by the shell"\n' >$d/noshebang
chmod 755 $d/noshebang
$d/noshebang

printf '#!/nonexistent/interpreter\n' >$d/badinterp
chmod 755 $d/badinterp
$d/badinterp 2>/dev/null; echo "missing interpreter: status $?"
printf 'echo x\n' >$d/noexec
chmod 644 $d/noexec
$d/noexec 2>/dev/null; echo "no x bit: status $?"
$d/missing 2>/dev/null; echo "missing file: status $?"

# exec replaces the shell; its descriptors go with it.
sh -c 'exec echo "exec replaced the shell"; echo not reached'
sh -c 'exec 3>'$d'/fd3; exec /bin/sh -c "echo inherited >&3"'
cat $d/fd3
(exec /bin/sh -c 'exit 21'); echo "exec status: $?"
