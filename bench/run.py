#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cvisor benchmark suite: micro-benchmarks, start-up time, idle memory and idle
CPU, natively, under cvisor (each platform) and under runsc when installed, in
one run, interleaved, with medians and ratios to native. Never judged in CI:
with --quick it only proves that everything still runs.

    bench/run.py [--build DIR] [--quick] [--reps N] [--only a,b] [--pin CPUS]
                 [--platforms ptrace,systrap,systrap-nopatch] [--no-runsc]

--platforms takes a comma-separated list of cvisor platforms, each run as a
column named cvisor-NAME (default: ptrace only, to keep --quick, which
`make check` runs, short). A name ending in -nopatch runs that platform with
syscall-site patching off: systrap-nopatch is
`cvisor --platform=systrap --syscall-patching=false do ...`.

Rows beyond the micro-benchmarks (select them with --only like the others):
  startup      wall time of /bin/true
  idle_memory  PSS of the whole process tree while /bin/sleep runs
  idle_cpu     CPU time (user+sys, whole process tree, start-up and exit
               included) of `busybox sleep 10` (1 s with --quick) as a
               percentage of its wall time; no ratio, as native is about 0
  open_read4k_close  open + read 4 KiB + close of an image file read before (/bin/busybox)
  first_read_100M    first read, 1 MiB at a time, of a 100 MiB image file (MB/s; natively
                     from the host page cache, warmed first: what the sandbox's files cost)
  tar_xf_50M         busybox `tar xf` of a 50 MiB archive of 1,600 files from the image into
                     /tmp (sandbox memory; natively a tmpfs directory under /dev/shm), ms
                     (--quick: 8 MiB and 4 MiB)
  oci_run      wall time of `run --bundle B ID` of /bin/true (create, start, exit,
               delete) on one bundle: the native column is runc's when installed,
               cvisor's columns are `cvisor run`, runsc's `runsc run`
  traps        (printed after the table, native only) what one trapped
               getppid costs in one process: seccomp SECCOMP_RET_TRAP, Syscall
               User Dispatch, both (bench/trap_cost.c)
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# name -> (iterations, quick iterations); page_faults counts MiB
MICRO = {
    "getppid": (20000, 200), "clock_gettime": (20000, 200), "read_1byte": (20000, 200),
    "open_read_close": (5000, 50), "stat": (10000, 100), "create_write_unlink": (2000, 20),
    "pipe_throughput": (4000, 40), "pipe_pingpong": (5000, 50), "fork_exit_wait": (200, 5),
    "fork_exec_wait": (100, 3), "thread_create_join": (1000, 10), "mmap_touch_munmap": (500, 10),
    "page_faults": (256, 4), "tcp_throughput": (2000, 20), "tcp_rr": (5000, 50),
}


# Rows that read files of the image: name -> micro arguments after the name (paths inside the root).
FILES = {
    "open_read4k_close": lambda quick, dest: ["20000" if not quick else "200", "/bin/busybox"],
    "first_read_100M": lambda quick, dest: ["1", "/data/big"],
    "tar_xf_50M": lambda quick, dest: ["1", "/data/archive.tar", dest, "/bin/busybox"],
}
MICRO_NAME = {"first_read_100M": "first_read", "tar_xf_50M": "tar_xf"}


def make_file_data(root, quick):
    """/data/big (100 MiB) and /data/archive.tar (50 MiB of files, 1/16 KiB..64 KiB) in the root."""
    import random
    import tarfile
    data = os.path.join(root, "data")
    os.makedirs(data, exist_ok=True)
    with open(os.path.join(data, "big"), "wb") as f:
        for _ in range(8 if quick else 100):
            f.write(os.urandom(1 << 20))
    rnd, total, k = random.Random(1), 0, 0
    src = os.path.join(data, "tree")
    while total < (4 if quick else 50) << 20:
        d = os.path.join(src, f"d{k // 100}")
        os.makedirs(d, exist_ok=True)
        size = rnd.choice([512, 4096, 16384, 65536, 100000])
        with open(os.path.join(d, f"f{k}"), "wb") as f:
            f.write(os.urandom(size))
        total, k = total + size, k + 1
    with tarfile.open(os.path.join(data, "archive.tar"), "w", format=tarfile.GNU_FORMAT) as tar:
        tar.add(src, arcname="tree")
    shutil.rmtree(src)
    with open(os.path.join(data, "big"), "rb") as f:        # natively: from the host page cache
        while f.read(1 << 20):
            pass


def build(work):
    micro = os.path.join(work, "micro")
    subprocess.run(["cc", "-O2", "-static", "-pthread", "-o", micro, os.path.join(HERE, "micro.c")],
                   check=True, stderr=subprocess.DEVNULL)
    subprocess.run(["cc", "-O2", "-static", "-o", os.path.join(work, "trap_cost"), os.path.join(HERE, "trap_cost.c")],
                   check=True, stderr=subprocess.DEVNULL)
    root = os.path.join(work, "root")
    subprocess.run([os.path.join(REPO, "tests/rootfs/make-busybox-root.sh"), root, micro],
                   check=True, stdout=subprocess.DEVNULL)
    return micro, root


def runners(args, micro, root):
    pin = ["taskset", "-c", args.pin] if args.pin else []
    cvisor = os.path.abspath(os.path.join(args.build, "cvisor"))
    out = {"native": lambda cmd: pin + [micro if cmd[0] == "/tests/micro" else os.path.join(root, cmd[0].lstrip("/"))] + cmd[1:]}
    for name in args.platforms.split(","):
        opts = [f"--platform={name}"]
        if name.endswith("-nopatch"):
            opts = [f"--platform={name[:-len('-nopatch')]}", "--syscall-patching=false"]
        out[f"cvisor-{name}"] = (lambda o: lambda cmd: pin + [cvisor] + o + ["do", "--root", root, "--"] + cmd)(opts)
    if shutil.which("runsc") and not args.no_runsc:
        out["runsc"] = lambda cmd: pin + ["runsc", "--network=none", "--ignore-cgroups", "do", "-quiet", "-root", root, "-cwd", "/"] + cmd
    return out


def run_micro(argv, timeout):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    lines = [line for line in r.stdout.split("\n") if line.strip()]
    if r.returncode != 0 or not lines or lines[-1].strip() == "n/a":
        return None
    return float(lines[-1].split()[0])


def startup_ms(argv):
    t = time.monotonic()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return (time.monotonic() - t) * 1000 if r.returncode == 0 else None


def make_bundle(work, root, cvisor):
    """An OCI bundle over @root running /bin/true, from `cvisor spec` (runc's defaults)."""
    import json
    bundle = os.path.join(work, "bundle")
    os.makedirs(bundle, exist_ok=True)
    spec = os.path.join(bundle, "config.json")
    if os.path.exists(spec):
        os.unlink(spec)
    subprocess.run([cvisor, "spec", "--bundle", bundle], check=True)
    c = json.load(open(spec))
    c["root"] = {"path": root, "readonly": False}
    c["process"]["terminal"] = False
    c["process"]["args"] = ["/bin/true"]
    json.dump(c, open(spec, "w"))
    return bundle


_oci_seq = [0]


def oci_run_ms(runtime, bundle, state):
    """One `RUNTIME --root STATE run --bundle B ID` of /bin/true, ms; None if it failed."""
    _oci_seq[0] += 1
    cid = f"bench-{os.getpid()}-{_oci_seq[0]}"
    argv = runtime + ["--root", state, "run", "--bundle", bundle, cid]
    return startup_ms(argv)


def tree_pss_kb(pid):
    """Sum of PSS of @pid and all its descendants."""
    pids, total = [pid], 0
    while pids:
        p = pids.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as f:
                pids += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return total


def idle_memory_kb(argv):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    kb = tree_pss_kb(proc.pid)
    proc.wait(timeout=30)
    return kb or None


# Runs argv[1:] as a child sub-reaper, so that descendants the tree itself
# leaves unwaited (runsc's systrap stubs, for one) are reaped here and their
# CPU time counted too; prints "CPU-seconds wall-seconds exit-code".
TREE_CPU = r"""
import ctypes, os, resource, sys, time
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
null = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
t = time.monotonic()
main = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=null)
code, deadline = None, None
while True:
    try:
        pid, status = os.waitpid(-1, os.WNOHANG if deadline else 0)
    except ChildProcessError:
        break
    if pid == main:
        code, deadline = os.waitstatus_to_exitcode(status), time.monotonic() + 5
    elif pid == 0:                  # stragglers get 5 s after the main process exits
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(ru.ru_utime + ru.ru_stime, wall, code)
"""


def idle_cpu_percent(argv, seconds):
    """CPU time (user+sys) of the whole process tree of @argv, as a percentage
    of its wall time."""
    try:
        r = subprocess.run([sys.executable, "-c", TREE_CPU] + argv, capture_output=True, text=True,
                           timeout=seconds + 60)
        cpu, wall, code = r.stdout.split()
    except (subprocess.TimeoutExpired, ValueError):
        return None
    if r.returncode != 0 or code != "0" or float(wall) <= 0:
        return None
    return 100 * float(cpu) / float(wall)


def fmt(v, unit):
    if v is None:
        return "n/a"
    if unit == "%":
        return f"{v:,.2f} %"
    if unit == "MB/s":
        return f"{v:,.0f} MB/s"
    if unit == "ms":
        return f"{v:,.1f} ms"
    if unit == "KiB":
        return f"{v / 1024:,.1f} MiB"
    return f"{v:,.0f} ns" if v >= 100 else f"{v:,.1f} ns"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--quick", action="store_true", help="one repetition, few iterations (CI)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", help="comma-separated benchmarks (see `micro list`, startup, idle_memory, idle_cpu)")
    ap.add_argument("--pin", help="taskset CPU list for every run, e.g. 1")
    ap.add_argument("--platforms", default="ptrace",
                    help="comma-separated cvisor platforms; NAME-nopatch = NAME with --syscall-patching=false "
                         "(default: ptrace; e.g. ptrace,systrap,systrap-nopatch)")
    ap.add_argument("--no-runsc", action="store_true")
    args = ap.parse_args()
    reps = 1 if args.quick else args.reps
    names = list(MICRO) + list(FILES) + ["startup", "idle_memory", "idle_cpu", "oci_run"]
    traps = not args.only or "traps" in args.only.split(",")
    if args.only:
        only = args.only.replace("files", "stat," + ",".join(FILES)).split(",")   # "files": issue 18's rows
        names = [n for n in names if n in only]
    work = tempfile.mkdtemp(prefix="cvisor-bench.")
    shm = tempfile.mkdtemp(prefix="cvisor-bench-tar.", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        micro, root = build(work)
        if any(n in FILES for n in names):
            make_file_data(root, args.quick)
        bundle = make_bundle(work, root, os.path.join(args.build, "cvisor")) if "oci_run" in names else None
        rs = runners(args, micro, root)
        results = {n: {r: [] for r in rs} for n in names}
        for _ in range(reps):
            for name in names:
                for rname, argv in rs.items():       # interleaved: runners share the machine's mood
                    if name == "oci_run":
                        v = None
                        if rname == "native" and shutil.which("runc"):
                            v = oci_run_ms(["runc"], bundle, os.path.join(work, "runc-state"))
                        elif rname.startswith("cvisor-"):
                            plat = rname[len("cvisor-"):]
                            opts = [f"--platform={plat.replace('-nopatch', '')}"]
                            if plat.endswith("-nopatch"):
                                opts.append("--syscall-patching=false")
                            v = oci_run_ms([os.path.abspath(os.path.join(args.build, "cvisor"))] + opts, bundle,
                                           os.path.join(work, "cvisor-state"))
                        elif rname == "runsc":
                            v = oci_run_ms(["runsc", "--network=none", "--ignore-cgroups"], bundle,
                                           os.path.join(work, "runsc-state"))
                    elif name == "startup":
                        v = startup_ms(argv(["/bin/true"]))
                    elif name == "idle_memory":
                        v = idle_memory_kb(argv(["/bin/sleep", "3"]))
                    elif name == "idle_cpu":
                        secs = 1 if args.quick else 10
                        v = idle_cpu_percent(argv(["/bin/busybox", "sleep", str(secs)]), secs)
                    elif name in FILES:
                        native = rname == "native"
                        rest = FILES[name](args.quick, shm if native else "/tmp")
                        rest = [os.path.join(root, a.lstrip("/")) if native and a.startswith("/") and a != shm else a
                                for a in rest]
                        v = run_micro(argv(["/tests/micro", MICRO_NAME.get(name, name)] + rest), timeout=300)
                        if v is not None and name == "tar_xf_50M":
                            v /= 1e6
                    else:
                        iters = MICRO[name][1 if args.quick else 0]
                        v = run_micro(argv(["/tests/micro", name, str(iters)]), timeout=300)
                    if v is not None:
                        results[name][rname].append(v)
        if names:
            print_table(results, rs, reps, args)
        if traps:
            print_traps(os.path.join(work, "trap_cost"), 2000 if args.quick else 200000, reps)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(shm, ignore_errors=True)
    return 0


def print_table(results, rs, reps, args):
    cols = list(rs)
    w = {c: max(18, len(c) + 2) for c in cols}                   # value columns
    rw = {c: max(22, len(c) + 8) for c in cols}                  # ratio columns: " NAME/native"
    head = f"{'benchmark':<22}" + "".join(f"{c:>{w[c]}}" for c in cols) + "".join(f"{' ' + c + '/native':>{rw[c]}}" for c in cols[1:])
    print(f"# medians of {reps} run(s){', pinned to CPUs ' + args.pin if args.pin else ''}; "
          "ratios are how many times slower (or bigger) than native; "
          "idle_cpu is CPU time as a % of wall time while sleeping, without ratios")
    print(head)
    for name, per in results.items():
        unit = ("MB/s" if name.endswith("throughput") or name.startswith("first_read") else
                "ms" if name in ("startup", "tar_xf_50M", "oci_run") else
                "KiB" if name == "idle_memory" else "%" if name == "idle_cpu" else "ns")
        med = {c: statistics.median(v) if v else None for c, v in per.items()}
        row = f"{name:<22}" + "".join(f"{fmt(med[c], unit):>{w[c]}}" for c in cols)
        for c in cols[1:]:
            n, v = med["native"], med[c]
            if unit == "%" or n is None or v is None or v == 0 or n == 0:
                row += f"{'n/a':>{rw[c]}}"
            else:
                ratio = n / v if unit == "MB/s" else v / n
                row += f"{ratio:>{rw[c] - 1}.1f}x"
        print(row)


def print_traps(exe, iters, reps):
    per = {}
    for _ in range(reps):
        out = subprocess.run([exe, str(iters)], capture_output=True, text=True, timeout=120).stdout
        for line in out.splitlines():
            mode, ns = line.split()
            if ns != "n/a":
                per.setdefault(mode, []).append(float(ns))
    cells = [f"{mode} {fmt(statistics.median(v), 'ns')}" for mode, v in per.items()]
    print(f"# trap mechanisms, one process, one CPU (getppid, medians of {reps}): " + ", ".join(cells))


if __name__ == "__main__":
    sys.exit(main())
