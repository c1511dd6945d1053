#!/bin/bash
# SPDX-License-Identifier: MIT
# python3 -m compileall (with a process pool) over copies of stdlib packages
# in /tmp, then the same packages imported from the .pyc files alone.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
set -eu
lib=/tmp/pylib
mkdir $lib
for p in email json xml http urllib asyncio concurrent logging unittest encodings multiprocessing; do cp -r /usr/lib/python3.11/$p $lib/; done
find $lib -name __pycache__ -prune -exec rm -r {} +
src=$(find $lib -name '*.py' | wc -l)
echo "sources $src"
# -b: legacy .pyc next to each .py, the layout that imports without sources;
# -j 2: compile in a pool of worker processes.
python3 -m compileall -q -b -j 2 $lib
pyc=$(find $lib -name '*.pyc' | wc -l)
[ "$pyc" -eq "$src" ] && echo "compiled $pyc"
# Each .pyc is the code of its .py: same magic, and it loads and names its source.
python3 - $lib <<'PY'
import importlib.util, marshal, pathlib, sys
lib = pathlib.Path(sys.argv[1])
bad = 0
for pyc in sorted(lib.rglob("*.pyc")):
    data = pyc.read_bytes()
    code = marshal.loads(data[16:])
    if data[:4] != importlib.util.MAGIC_NUMBER or code.co_filename != str(pyc.with_suffix(".py")):
        bad += 1
print("pyc headers and code ok" if bad == 0 else f"{bad} bad pyc")
PY
find $lib -name '*.py' -delete
[ "$(find $lib -name '*.py' | wc -l)" -eq 0 ] && echo "sources removed"
python3 -B - $lib <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import email.parser, email.policy, json, xml.dom.minidom, xml.etree.ElementTree as ET, http.client, urllib.parse
mods = [m for n, m in sorted(sys.modules.items()) if n.split(".")[0] in ("email", "json", "xml", "http", "urllib")]
from_pyc = [m for m in mods if getattr(m, "__file__", "") and m.__file__.startswith(sys.argv[1]) and m.__file__.endswith(".pyc")]
print("modules from pyc", len(from_pyc) == len(mods) and len(mods) > 20)
msg = email.parser.Parser(policy=email.policy.default).parsestr("Subject: hi\nFrom: a@b.c\n\nbody\n")
print("email", msg["subject"], msg.get_content().strip())
print("json", json.dumps(json.loads('{"b": [1, 2.5, null], "a": "x"}'), sort_keys=True))
doc = xml.dom.minidom.parseString("<r><i n='1'/><i n='2'/></r>")
print("minidom", [e.getAttribute("n") for e in doc.getElementsByTagName("i")])
print("etree", sum(int(e.get("n")) for e in ET.fromstring("<r><i n='3'/><i n='4'/></r>")))
print("urllib", urllib.parse.urlsplit("http://h:8/p?q=1").port, http.client.responses[404])
PY
rm -rf $lib
echo OK
