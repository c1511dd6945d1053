#!/bin/bash
# SPDX-License-Identifier: MIT
# python3: threads, subprocess, signal handlers, hashlib, files.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
python3 -c 'pass' && echo "python starts"
python3 - <<'PY'
import hashlib, os, signal, subprocess, sys, threading, time

total = 0
lock = threading.Lock()
def add(n):
    global total
    for _ in range(n):
        with lock:
            total += 1
threads = [threading.Thread(target=add, args=(10000,)) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print("threads", total)

out = subprocess.run(["sh", "-c", "echo from child; exit 3"], capture_output=True, text=True)
print("subprocess", out.stdout.strip(), out.returncode)
print("pipeline", subprocess.check_output("seq 5 | tail -1", shell=True).decode().strip())

got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
os.kill(os.getpid(), signal.SIGUSR1)
print("signal", got == [signal.SIGUSR1])

signal.signal(signal.SIGALRM, lambda s, f: got.append("alarm"))
signal.setitimer(signal.ITIMER_REAL, 0.05)
deadline = time.monotonic() + 10
while "alarm" not in got and time.monotonic() < deadline:
    time.sleep(0.01)
print("alarm", "alarm" in got)

print("sha256", hashlib.sha256(b"cvisor").hexdigest()[:16])
with open("/tmp/py.txt", "w") as f:
    f.write("x" * 100000)
print("file", os.path.getsize("/tmp/py.txt"))
os.unlink("/tmp/py.txt")
print("pid is", "positive" if os.getpid() > 0 else "odd")
PY
